/**
 * Wraps a dataset received over the network (already encoded in its negotiated transfer syntax)
 * into a DICOM Part 10 file: 128-byte preamble, "DICM", and the File Meta Information group in
 * Explicit VR Little Endian (PS3.10 7.1). The dataset bytes are kept exactly as the sender sent
 * them, so compressed pixel data is never re-encoded.
 */
export interface FileMeta {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle?: string;
}

// A UUID-derived UID (PS3.5 B.2): ours without registering an organisation root.
export const IMPLEMENTATION_CLASS_UID = '2.25.14155546229296652556895783201523589996';
export const IMPLEMENTATION_VERSION = 'ICH_TRIAGE_01';

export function buildPart10(meta: FileMeta, dataset: Uint8Array): Uint8Array {
  const elements = [
    element(0x0001, 'OB', new Uint8Array([0, 1])),
    element(0x0002, 'UI', text(meta.sopClassUid, 0)),
    element(0x0003, 'UI', text(meta.sopInstanceUid, 0)),
    element(0x0010, 'UI', text(meta.transferSyntaxUid, 0)),
    element(0x0012, 'UI', text(IMPLEMENTATION_CLASS_UID, 0)),
    element(0x0013, 'SH', text(IMPLEMENTATION_VERSION, 0x20)),
    ...(meta.sourceAeTitle ? [element(0x0016, 'AE', text(meta.sourceAeTitle, 0x20))] : []),
  ];
  const groupLength = elements.reduce((n, e) => n + e.length, 0);
  const lengthElement = new Uint8Array(12);
  const view = new DataView(lengthElement.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, 0x0000, true);
  lengthElement.set([0x55, 0x4c], 4); // "UL"
  view.setUint16(6, 4, true);
  view.setUint32(8, groupLength, true);

  const out = new Uint8Array(132 + 12 + groupLength + dataset.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128); // "DICM"
  out.set(lengthElement, 132);
  let offset = 144;
  for (const e of elements) {
    out.set(e, offset);
    offset += e.length;
  }
  out.set(dataset, offset);
  return out;
}

/** Value bytes padded to even length with `pad` (NUL for UIDs, space for text). */
function text(value: string, pad: number): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = pad;
  return padded;
}

function element(elementNumber: number, vr: 'OB' | 'UI' | 'SH' | 'AE', value: Uint8Array): Uint8Array {
  const long = vr === 'OB';
  const header = long ? 12 : 8;
  const out = new Uint8Array(header + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, elementNumber, true);
  out.set([vr.charCodeAt(0), vr.charCodeAt(1)], 4);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  out.set(value, header);
  return out;
}
