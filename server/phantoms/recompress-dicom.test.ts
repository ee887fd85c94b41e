import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { decodePixels, parseDicom, toHounsfield } from '../dicom';
import { generatePhantomStudy } from './generate-phantom-study';
import { hasTool, RECOMPRESSIONS, recompressDicom, type RecompressionName } from './recompress-dicom';

async function huOf(bytes: Uint8Array): Promise<Float32Array> {
  const parsed = parseDicom(bytes);
  return toHounsfield(parsed.header, await decodePixels(parsed)).hu;
}

/** Max and mean |a - b|. */
function errors(a: Float32Array, b: Float32Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

const names = Object.keys(RECOMPRESSIONS) as RecompressionName[];

describe.each(names)('a phantom slice re-encoded as %s', (name) => {
  const r = RECOMPRESSIONS[name];
  let original: Uint8Array;
  let reference: Float32Array;
  beforeAll(async () => {
    // A slice through the ventricles with a subdural bleed: bone, brain, CSF and blood edges.
    const study = generatePhantomStudy({ seed: 21, slices: 1, hemorrhage: 'subdural', pixelFormat: 'max12Bit' in r ? 'uint12' : 'int16' });
    original = study.slices[0]!.bytes;
    reference = await huOf(original);
  });

  it.skipIf(!hasTool(r.tool))(`decodes to the same HU (${r.maxError === 0 ? 'exactly' : r.maxError === undefined ? 'within a lossy bound' : `within ±${r.maxError}`})`, async () => {
    const bytes = await recompressDicom(original, name);
    const parsed = parseDicom(bytes);
    expect(parsed.header.transferSyntaxUid).toBe(r.transferSyntaxUid);
    // gdcm gives lossy results a new SOP Instance UID, as PS3.3 asks; lossless ones keep it.
    if (r.maxError === 0) expect(parsed.header.sopInstanceUid).toBe(parseDicom(original).header.sopInstanceUid);
    if ('decoderRefuses' in r) {
      // 12-bit lossy JPEG has no Node decoder: server/dicom must say so with its typed error.
      await expect(huOf(bytes)).rejects.toThrow(r.decoderRefuses);
      return;
    }
    const hu = await huOf(bytes);
    const { max, mean } = errors(hu, reference);
    if (r.maxError !== undefined) {
      expect(max).toBeLessThanOrEqual(r.maxError);
    } else {
      // Lossy: noise-level average error; edges (bone against brain) may err more.
      expect(mean).toBeLessThan(8);
      expect(max).toBeLessThan(400);
    }
    if (r.maxError !== 0) expect(mean).toBeGreaterThan(0); // really lossy: proves the decoder ran
  });
});

describe('recompressDicom', () => {
  it('reports a failing tool as a typed error with its message', async () => {
    const notDicom = new TextEncoder().encode('not a DICOM file');
    let error: unknown;
    try {
      await recompressDicom(notDicom, 'rle');
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'INTERNAL'), String(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/^rle: dcmcrle (failed|not found)/);
  });
});
