import { AppError } from '@/lib/errors';
import type { PixelDataLocation } from '../parse-dicom';

type Encapsulated = Extract<PixelDataLocation, { encapsulated: true }>;

/**
 * The compressed bytes of frame `frameIndex`: a zero-copy view when the frame is one fragment,
 * else the frame's fragments concatenated. Fragments are assigned to frames by the Basic Offset
 * Table, else one fragment per frame, else (single frame) all fragments.
 */
export function encapsulatedFrame(bytes: Uint8Array, pixelData: Encapsulated, frameIndex: number, numberOfFrames: number): Uint8Array {
  const { fragments, basicOffsetTable: bot } = pixelData;
  let first: number;
  let end: number;
  if (numberOfFrames === 1) {
    first = 0;
    end = fragments.length;
  } else if (bot.length === numberOfFrames) {
    const start = bot[frameIndex]!;
    const stop = frameIndex + 1 < bot.length ? bot[frameIndex + 1]! : Infinity;
    first = fragments.findIndex((f) => f.offset === start);
    if (first < 0) throw new AppError('DICOM_DECODE_FAILED', `Basic Offset Table entry ${frameIndex} (${start}) matches no fragment`);
    end = first + 1;
    while (end < fragments.length && fragments[end]!.offset < stop) end++;
  } else if (fragments.length === numberOfFrames) {
    first = frameIndex;
    end = frameIndex + 1;
  } else {
    throw new AppError(
      'DICOM_DECODE_FAILED',
      `cannot tell which of ${fragments.length} fragments hold which of ${numberOfFrames} frames without a Basic Offset Table`,
    );
  }
  if (end - first === 1) {
    const f = fragments[first]!;
    return bytes.subarray(f.position, f.position + f.length);
  }
  let total = 0;
  for (let i = first; i < end; i++) total += fragments[i]!.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = first; i < end; i++) {
    const f = fragments[i]!;
    out.set(bytes.subarray(f.position, f.position + f.length), at);
    at += f.length;
  }
  return out;
}
