import dcmjs, { type DcmjsElement } from 'dcmjs';

/** DICOM JSON (PS3.18 F.2): attributes keyed by 8-hex-digit tag. */
export type DicomJson = Record<string, DcmjsElement>;

const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const PIXEL_DATA = '7FE00010';
/** Binary values up to this size travel inline (base64); larger ones are left out of the metadata. */
const MAX_INLINE_BINARY = 4096;

/** Reads a stored Part 10 file's dataset with dcmjs, stopping before the pixel data unless asked for. */
export function readDataset(bytes: Uint8Array, withPixels = false): DicomJson {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const file = dcmjs.data.DicomMessage.readFile(buffer, withPixels ? { ignoreErrors: true } : { ignoreErrors: true, untilTag: PIXEL_DATA, includeUntilTagValue: false });
  return file.dict;
}

/**
 * dcmjs's dataset in the DICOM JSON model for metadata and QIDO answers: dcmjs already keys
 * elements by tag with `vr` and `Value` (PN as `{Alphabetic}`), so what remains is the JSON rules
 * for what dcmjs keeps as ArrayBuffers: Pixel Data becomes a BulkDataURI (the frames resource),
 * small binaries InlineBinary, large ones their VR only; empty values lose `Value`; sequences recurse.
 */
export function toDicomJson(dataset: DicomJson, pixelDataUri?: string): DicomJson {
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries(dataset)) {
    const key = tag.toUpperCase();
    if (key === PIXEL_DATA) {
      if (pixelDataUri) out[key] = { vr: element.vr, BulkDataURI: pixelDataUri } as DcmjsElement;
      continue;
    }
    if (element.vr === 'SQ') {
      const items = (element.Value ?? []).map((item) => toDicomJson(item as DicomJson));
      out[key] = (items.length > 0 ? { vr: 'SQ', Value: items } : { vr: 'SQ' }) as DcmjsElement;
      continue;
    }
    if (BINARY_VRS.has(element.vr)) {
      const bytes = concat((element.Value ?? []) as ArrayBuffer[]);
      out[key] = (bytes.length > 0 && bytes.length <= MAX_INLINE_BINARY ? { vr: element.vr, InlineBinary: Buffer.from(bytes).toString('base64') } : { vr: element.vr }) as DcmjsElement;
      continue;
    }
    let values = (element.Value ?? []).filter((v) => v !== undefined && v !== null && v !== '');
    // Numeric strings are JSON numbers (F.2.3); dcmjs's dictionary path leaves them strings.
    if (element.vr === 'IS' || element.vr === 'DS') values = values.map((v) => (typeof v === 'string' && Number.isFinite(Number(v)) ? Number(v) : v));
    out[key] = (values.length > 0 ? { vr: element.vr, Value: values } : { vr: element.vr }) as DcmjsElement;
  }
  return out;
}

/** Keyword-named values to DICOM JSON with dcmjs's dictionary (tags and VRs from the standard). */
export function fromKeywords(values: Record<string, unknown>): DicomJson {
  return toDicomJson(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(values));
}

function concat(parts: ArrayBuffer[]): Uint8Array {
  const arrays = parts.filter((p) => p instanceof ArrayBuffer || ArrayBuffer.isView(p)).map((p) => (ArrayBuffer.isView(p) ? new Uint8Array(p.buffer, p.byteOffset, p.byteLength) : new Uint8Array(p)));
  return arrays.length === 1 ? arrays[0]! : Buffer.concat(arrays);
}
