import { createHash } from 'node:crypto';
import { AppError, isAppError } from '@/lib/errors';
import { parseDicom, type ParsedDicom } from '@/server/dicom';

/**
 * Compares a re-sent instance with the different file already stored under its SOP Instance UID
 * (same study and series: the store's path). A SOP Instance UID names one image for good (PS3.3
 * C.12.1.1.1), so other pixels or another patient under it are a conflict, never an update: the
 * sender reused a UID, or something is forging one. Returns the error to quarantine with, or null
 * when only other attributes changed (a corrected description, a new private tag), which is stored
 * and re-analysed as before. A stored file that no longer parses counts as a conflict; an incoming
 * one whose pixel data cannot be located is refused with its own DICOM_* error.
 */
export function checkSopConflict(previousBytes: Uint8Array, incoming: Uint8Array): AppError | null {
  let before: ParsedDicom;
  let after: ParsedDicom;
  try {
    after = parseDicom(incoming);
  } catch (err) {
    return isAppError(err) ? err : conflict('this re-sent instance cannot be read to compare with the stored one');
  }
  try {
    before = parseDicom(previousBytes);
  } catch {
    return conflict('the copy already stored under this SOP Instance UID cannot be read to compare with');
  }
  if ((before.header.patientId ?? '') !== (after.header.patientId ?? '')) {
    return conflict('this SOP Instance UID is already stored for another patient (PatientID differs)');
  }
  if (pixelDigest(before) !== pixelDigest(after)) {
    return conflict('this SOP Instance UID is already stored with other pixel data (or another transfer syntax)');
  }
  return null;
}

/** The instance that would be moved: its StudyInstanceUID or SeriesInstanceUID differs from the stored one. */
export function movedInstanceConflict(what: 'study' | 'series' | 'patient'): AppError {
  const names = { study: 'another study (StudyInstanceUID differs)', series: 'another series (SeriesInstanceUID differs)', patient: 'another patient (PatientID differs)' };
  return conflict(`this SOP Instance UID is already stored in ${names[what]}; it was not moved`);
}

function conflict(message: string): AppError {
  return new AppError('DICOM_SOP_UID_CONFLICT', message);
}

/** SHA-256 over the transfer syntax and the Pixel Data bytes exactly as stored (fragments in order). */
function pixelDigest(parsed: ParsedDicom): string {
  const hash = createHash('sha256').update(parsed.header.transferSyntaxUid).update('\0');
  const pixels = parsed.pixelData;
  if (!pixels) return hash.update('no pixel data').digest('hex');
  if (!pixels.encapsulated) return hash.update(parsed.bytes.subarray(pixels.offset, pixels.offset + pixels.length)).digest('hex');
  for (const f of pixels.fragments) hash.update(parsed.bytes.subarray(f.position, f.position + f.length));
  return hash.digest('hex');
}
