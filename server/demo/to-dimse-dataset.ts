import { createRequire } from 'node:module';
import dcmjs from 'dcmjs';
import dimse from 'dcmjs-dimse';
import { AppError } from '@/lib/errors';

// The part of dcmjs this file reads with (the phantoms' declaration only covers writing).
interface DcmjsReading {
  data: {
    DicomMessage: {
      readFile(buffer: ArrayBuffer): { meta: Record<string, { Value?: unknown[] }>; dict: Record<string, unknown> };
    };
    DicomMetaDictionary: { naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown> };
  };
  log: { setLevel(level: string): void };
}

const { data } = dcmjs as unknown as DcmjsReading;

const DEFLATED = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

let quieted = false;

/**
 * Routes dcmjs-dimse's logging (every PDU by default) and dcmjs's "Unknown name in dataset"
 * warnings down to errors. dcmjs-dimse carries its own nested copy of dcmjs, so both copies are set.
 */
export function quietDicomLibraries(): void {
  if (quieted) return;
  quieted = true;
  dimse.log.setLevel('error');
  (dcmjs as unknown as DcmjsReading).log.setLevel('error');
  try {
    const fromDimse = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'));
    (fromDimse('dcmjs') as DcmjsReading).log.setLevel('error');
  } catch {
    // No nested copy: dcmjs-dimse shares ours, already set above.
  }
}

export interface DimseInstance {
  dataset: InstanceType<typeof dimse.Dataset>;
  sopInstanceUid: string;
  transferSyntaxUid: string;
}

/**
 * A Part-10 file as a dcmjs-dimse Dataset in the file's own transfer syntax: the client then
 * proposes that syntax in its own presentation context and sends compressed pixel data as it is,
 * without transcoding. Throws AppError DICOM_NOT_DICOM when dcmjs cannot read the file.
 */
export function toDimseDataset(bytes: Uint8Array): DimseInstance {
  quietDicomLibraries();
  // dcmjs wants an ArrayBuffer holding exactly the file.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let file;
  try {
    file = data.DicomMessage.readFile(buffer);
  } catch (err) {
    throw new AppError('DICOM_NOT_DICOM', `not a DICOM Part-10 file: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const metaSyntax = file.meta['00020010']?.Value?.[0];
  if (typeof metaSyntax !== 'string') throw new AppError('DICOM_MISSING_ATTRIBUTE', 'file meta has no TransferSyntaxUID');
  const natural = data.DicomMetaDictionary.naturalizeDataset(file.dict);
  // dcmjs has already inflated a deflated file; what it holds is plain explicit little endian.
  const transferSyntaxUid = metaSyntax === DEFLATED ? EXPLICIT_LE : metaSyntax;
  const sopInstanceUid = natural.SOPInstanceUID;
  if (typeof sopInstanceUid !== 'string' || typeof natural.SOPClassUID !== 'string') {
    throw new AppError('DICOM_MISSING_ATTRIBUTE', 'dataset has no SOPClassUID / SOPInstanceUID');
  }
  const raw = metaSyntax === DEFLATED ? undefined : datasetBytesOf(bytes);
  const dataset = raw ? new StoredDataset(natural, transferSyntaxUid, raw) : new dimse.Dataset(natural, transferSyntaxUid);
  return { dataset, sopInstanceUid, transferSyntaxUid };
}

/**
 * A dataset that goes on the wire as the file's own bytes when the association accepted the file's
 * transfer syntax: byte for byte what the sender stored, and no re-encoding of half a megabyte of
 * pixels per slice. When dcmjs-dimse must transcode (the listener accepted another syntax), it
 * builds a new Dataset from the naturalized elements, which this one also carries.
 */
class StoredDataset extends dimse.Dataset {
  constructor(
    elements: Record<string, unknown>,
    private readonly storedSyntax: string,
    private readonly stored: Buffer,
  ) {
    super(elements, storedSyntax);
  }

  override getDenaturalizedDataset(writeOptions?: Record<string, unknown>, nameMap?: Record<string, unknown>): Buffer {
    return this.getTransferSyntaxUid() === this.storedSyntax ? this.stored : super.getDenaturalizedDataset(writeOptions, nameMap);
  }
}

/** The bytes after the file meta group, found by its group length (PS3.10 7.1); undefined without one. */
function datasetBytesOf(bytes: Uint8Array): Buffer | undefined {
  if (bytes.length < 144) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isGroupLength = view.getUint16(132, true) === 0x0002 && view.getUint16(134, true) === 0x0000 && bytes[136] === 0x55 && bytes[137] === 0x4c;
  if (!isGroupLength) return undefined;
  const start = 144 + view.getUint32(140, true);
  return start <= bytes.length ? Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start) : undefined;
}
