import { AppError } from '@/lib/errors';
import { decodeHtj2k } from './codecs/decode-htj2k';
import { decodeJpeg2000 } from './codecs/decode-jpeg2000';
import { decodeJpegBaseline } from './codecs/decode-jpeg-baseline';
import { decodeJpegLossless } from './codecs/decode-jpeg-lossless';
import { decodeJpegLs } from './codecs/decode-jpeg-ls';
import { decodeRle } from './codecs/decode-rle';
import { checkFrame, decodeUncompressed } from './codecs/decode-uncompressed';
import { checkJ2kCodestream } from './check-j2k-codestream';
import { encapsulatedFrame } from './codecs/encapsulated-frame';
import type { StoredArray } from './codecs/stored-pixels';
import { loadWasmCodec, WASM_CODECS, type WasmCodecName } from './codecs/wasm-codec';
import type { ParsedDicom } from './parse-dicom';
import { requireDecodableTransferSyntax } from './transfer-syntax';
import type { StoredFrame } from './types';

/**
 * Stored values of frame `frameIndex` for any supported transfer syntax, with the signedness of
 * Pixel Representation and masked to Bits Stored. Uncompressed frames come back synchronously
 * fast (see decodeUncompressed for the aliasing rule); compressed ones are decoded into `out` when
 * given, else into a new array. Throws AppError (DICOM_*), never a string.
 */
export async function decodePixels(parsed: ParsedDicom, frameIndex = 0, out?: StoredArray): Promise<StoredFrame> {
  const { header } = parsed;
  const syntax = requireDecodableTransferSyntax(header.transferSyntaxUid);
  if (syntax.family === 'uncompressed') return decodeUncompressed(parsed, frameIndex, out);

  checkFrame(parsed, frameIndex);
  const pixelData = parsed.pixelData!;
  if (!pixelData.encapsulated) {
    throw new AppError('DICOM_DECODE_FAILED', `transfer syntax ${syntax.uid} (${syntax.name}) requires encapsulated Pixel Data, found native`);
  }
  const frame = encapsulatedFrame(parsed.bytes, pixelData, frameIndex, header.numberOfFrames);
  let pixels: StoredArray;
  switch (syntax.family) {
    case 'rle':
      pixels = decodeRle(header, frame, out);
      break;
    case 'jpeg-lossless':
      pixels = decodeJpegLossless(header, frame, out);
      break;
    case 'jpeg-baseline':
      pixels = await decodeJpegBaseline(header, frame, out);
      break;
    case 'jpeg-ls':
      pixels = await decodeJpegLs(header, frame, out);
      break;
    case 'jpeg2000':
      checkJ2kCodestream(frame, header, `${syntax.uid} (${syntax.name})`);
      pixels = await decodeJpeg2000(header, frame, out);
      break;
    case 'htj2k':
      checkJ2kCodestream(frame, header, `${syntax.uid} (${syntax.name})`);
      pixels = await decodeHtj2k(header, frame, out);
      break;
  }
  return { rows: header.rows, columns: header.columns, pixels };
}

/** Instantiates every WASM codec now (once per process or worker) so the first image is not slow. */
export async function preloadCodecs(): Promise<void> {
  await Promise.all((Object.keys(WASM_CODECS) as WasmCodecName[]).map((name) => loadWasmCodec(name)));
}
