import { AppError } from '@/lib/errors';

/** How the pixel data of a transfer syntax is decoded; `unsupported` ones are known but refused. */
export type CodecFamily =
  | 'uncompressed'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg2000'
  | 'htj2k'
  | 'unsupported';

export interface TransferSyntax {
  uid: string;
  name: string;
  family: CodecFamily;
  /** True when the decoded pixels may differ from the originals. */
  lossy: boolean;
  /** Explicit VR Big Endian: uncompressed samples need a byte swap. */
  bigEndian?: boolean;
  /** Why an `unsupported` syntax is refused. */
  reason?: string;
}

function ts(uid: string, name: string, family: CodecFamily, lossy: boolean, extra?: Partial<TransferSyntax>): TransferSyntax {
  return { uid, name, family, lossy, ...extra };
}

const NO_CODEC = 'no maintained decoder for Node.js is available';
const RETIRED_JPEG = 'retired JPEG process that no scanner or PACS writes; no decoder is available';

/** The one table of transfer syntaxes this project knows (PS3.6 Annex A). */
export const TRANSFER_SYNTAXES: ReadonlyMap<string, TransferSyntax> = new Map(
  [
    ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'uncompressed', false),
    ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'uncompressed', false),
    ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'uncompressed', false),
    ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'uncompressed', false, { bigEndian: true }),
    // Raw little-endian frames, one per fragment (2019+): lets multi-frame files be streamed.
    ts('1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', 'uncompressed', false),
    ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle', false),
    ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', true),
    // 8-bit only: the 12-bit variant is refused by the decoder, which knows the bit depth.
    ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-baseline', true),
    ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless', false),
    ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [SV1])', 'jpeg-lossless', false),
    ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls', false),
    ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls', true),
    ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg2000', false),
    ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000', true),
    ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'htj2k', false),
    ts('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', 'htj2k', false),
    ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'htj2k', true),
    // Known, refused, but named in the error so the sender can be reconfigured.
    ts('1.2.840.10008.1.2.4.52', 'JPEG Extended (Process 3 & 5) (Retired)', 'unsupported', true, { reason: RETIRED_JPEG }),
    ts('1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (Retired)', 'unsupported', true, { reason: RETIRED_JPEG }),
    ts('1.2.840.10008.1.2.4.54', 'JPEG Spectral Selection, Non-Hierarchical (Process 7 & 9) (Retired)', 'unsupported', true, { reason: RETIRED_JPEG }),
    ts('1.2.840.10008.1.2.4.55', 'JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (Retired)', 'unsupported', true, { reason: RETIRED_JPEG }),
    ts('1.2.840.10008.1.2.4.56', 'JPEG Full Progression, Non-Hierarchical (Process 11 & 13) (Retired)', 'unsupported', true, { reason: RETIRED_JPEG }),
    ts('1.2.840.10008.1.2.4.58', 'JPEG Lossless, Non-Hierarchical (Process 15) (Retired)', 'unsupported', false, { reason: RETIRED_JPEG }),
    ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component (Lossless Only)', 'unsupported', false, { reason: NO_CODEC }),
    ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component', 'unsupported', true, { reason: NO_CODEC }),
    ts('1.2.840.10008.1.2.4.94', 'JPIP Referenced', 'unsupported', false, { reason: 'pixel data is not in the file' }),
    ts('1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', 'unsupported', false, { reason: 'pixel data is not in the file' }),
    ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'unsupported', true, { reason: 'video' }),
    ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', 'unsupported', true, { reason: 'video' }),
    ts('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'unsupported', false, { reason: NO_CODEC }),
    ts('1.2.840.10008.1.2.4.112', 'JPEG XL', 'unsupported', true, { reason: NO_CODEC }),
  ].map((t) => [t.uid, t] as const),
);

/** Looks a transfer syntax up by UID; undefined when the UID is not in the table. */
export function findTransferSyntax(uid: string): TransferSyntax | undefined {
  return TRANSFER_SYNTAXES.get(uid);
}

/** The transfer syntax for `uid`, or DICOM_UNSUPPORTED_TRANSFER_SYNTAX naming it and why. */
export function requireDecodableTransferSyntax(uid: string): TransferSyntax & { family: Exclude<CodecFamily, 'unsupported'> } {
  const syntax = TRANSFER_SYNTAXES.get(uid);
  if (syntax === undefined) {
    throw new AppError('DICOM_UNSUPPORTED_TRANSFER_SYNTAX', `unknown transfer syntax ${JSON.stringify(uid)}`, { transferSyntaxUid: uid });
  }
  if (syntax.family === 'unsupported') {
    throw new AppError(
      'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
      `transfer syntax ${uid} (${syntax.name}) is not supported: ${syntax.reason ?? NO_CODEC}`,
      { transferSyntaxUid: uid },
    );
  }
  return syntax as TransferSyntax & { family: Exclude<CodecFamily, 'unsupported'> };
}

/** A human name for a transfer syntax UID (the UID itself when unknown). */
export function transferSyntaxName(uid: string): string {
  return TRANSFER_SYNTAXES.get(uid)?.name ?? uid;
}
