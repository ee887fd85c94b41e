/**
 * Name patterns a modality or archive makes by itself, which cannot carry a patient's name: DICOM
 * UIDs ("1.2.840.113619.2.55.3.1234.dcm"), numbered slices with a short fixed prefix ("IM000123",
 * "IMG_0042.dcm", "CT.1.2.3.dcm", "slice-017.dcm"), and UUIDs/hex digests. Letters are allowed only
 * in those prefixes and extensions, so initials or a surname never pass.
 */
const PREFIX = '(?:IM|IMG|I|CT|SE|SER|SL|SLICE|FILE|DICOM|DCM|INSTANCE|IMAGE)?';
const EXTENSION = '(?:\\.(?:dcm|dicom|ima|img|bin|zip))?';
const NUMBERED = new RegExp(`^${PREFIX}[._-]?[0-9][0-9._-]{0,127}${EXTENSION}$`, 'i');
const HEXLIKE = new RegExp(`^[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}${EXTENSION}$|^[0-9a-f]{32,64}${EXTENSION}$`, 'i');

/**
 * The last path segment of an uploaded file's name (a zip entry's too) when it matches a pattern
 * that cannot carry a patient identifier, else null. The quarantine shows a name only then: people
 * and exporters name files after the patient ("DOE_JANE_head.dcm"), and a name is not worth the
 * risk of showing one. Deliberately narrow: a harmless name that fails only goes unshown.
 */
export function safeFileName(name: string | undefined): string | null {
  const base = name?.split(/[/\\]/).pop()?.trim() ?? '';
  if (!base || base.length > 128) return null;
  return NUMBERED.test(base) || HEXLIKE.test(base) ? base : null;
}
