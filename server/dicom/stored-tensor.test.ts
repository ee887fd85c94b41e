import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREPROCESS, type PreprocessSpec } from '@/lib/model-manifest';
import { decodePixels } from './decode-pixels';
import { toHounsfield } from './hounsfield';
import { parseDicom } from './parse-dicom';
import { buildTensorFromStored } from './stored-tensor';
import { buildTensor } from './tensor';
import type { DicomHeader, StoredFrame } from './types';

const FIXTURES = fileURLToPath(new URL('./__fixtures__', import.meta.url));
const GE_DIR = fileURLToPath(new URL('../../../shared/data/dicom/ge-head-ct', import.meta.url));

/** The header fields the rescale reads; the rest never matter to pixel values. */
function header(over: Partial<DicomHeader> = {}): DicomHeader {
  return {
    rescaleSlope: 1,
    rescaleIntercept: -1024,
    bitsStored: 16,
    bitsAllocated: 16,
    pixelRepresentation: 1,
    photometricInterpretation: 'MONOCHROME2',
    pixelPaddingValue: undefined,
    pixelPaddingRangeLimit: undefined,
    ...over,
  } as DicomHeader;
}

/** A rows x columns frame of `Type` filled with a deterministic spread over [lo, hi]. */
function frame<T extends StoredFrame['pixels']>(Type: new (n: number) => T, rows: number, columns: number, lo: number, hi: number): StoredFrame {
  const pixels = new Type(rows * columns);
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    // Mostly brain-like values near the middle of the range, some anywhere in it.
    const any = lo + (seed % (hi - lo + 1));
    const brain = Math.min(hi, Math.max(lo, Math.round((lo + hi) / 2 + ((seed >>> 8) % 200) - 100)));
    pixels[i] = seed & 1 ? any : brain;
  }
  return { rows, columns, pixels };
}

const sizes = (spec: PreprocessSpec, height: number, width: number, resize: PreprocessSpec['resize'] = 'area'): PreprocessSpec => ({
  ...spec,
  inputSize: { height, width },
  resize,
});

/** The fused path must give exactly the tensor of the two-step path (HU image, then buildTensor). */
function expectSame(h: DicomHeader, f: StoredFrame, spec: PreprocessSpec, invertMonochrome1 = false): void {
  const twoStep = buildTensor(toHounsfield(h, f, undefined, { invertMonochrome1 }), spec);
  const fused = buildTensorFromStored(h, f, spec, undefined, { invertMonochrome1 });
  expect(fused.length).toBe(twoStep.length);
  let differing = 0;
  for (let i = 0; i < fused.length; i++) if (!Object.is(fused[i], twoStep[i])) differing++;
  expect(differing).toBe(0);
}

describe('buildTensorFromStored', () => {
  it('is bit-identical to toHounsfield + buildTensor for signed 16-bit 512 -> 256 (the default model input)', () => {
    expectSame(header(), frame(Int16Array, 512, 512, -2000, 3000), DEFAULT_PREPROCESS);
  });

  it('covers the whole stored range, padding, non-unit slope and a fractional intercept', () => {
    const f = frame(Int16Array, 64, 64, -32768, 32767);
    const spec: PreprocessSpec = { ...sizes(DEFAULT_PREPROCESS, 32, 32), normalisation: { mean: [0.1, 0.2, 0.05], std: [0.5, 0.25, 1.5] } };
    expectSame(header({ pixelPaddingValue: -2000, pixelPaddingRangeLimit: -1500 }), f, spec);
    expectSame(header({ rescaleSlope: 0.7, rescaleIntercept: -1023.5 }), f, spec);
    expectSame(header({ pixelRepresentation: 0, rescaleIntercept: -32768 }), frame(Uint16Array, 64, 64, 0, 65535), spec);
  });

  it('unsigned 12-bit with the RSNA defect, and MONOCHROME1 inverted on request', () => {
    const f = frame(Uint16Array, 64, 64, 0, 4095);
    expectSame(header({ bitsStored: 12, pixelRepresentation: 0, rescaleIntercept: 0 }), f, sizes(DEFAULT_PREPROCESS, 32, 32));
    const m1 = header({ bitsStored: 12, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME1' });
    expectSame(m1, f, sizes(DEFAULT_PREPROCESS, 32, 32), true);
    expectSame(m1, f, sizes(DEFAULT_PREPROCESS, 32, 32), false);
  });

  it('8-bit data and a normalisation that is not the identity', () => {
    const spec: PreprocessSpec = { ...sizes(DEFAULT_PREPROCESS, 16, 16), normalisation: { mean: [0.1, 0.2, 0.05], std: [0.5, 0.25, 1.5] } };
    expectSame(header({ bitsStored: 8, bitsAllocated: 8, pixelRepresentation: 0, rescaleSlope: 8 }), frame(Uint8Array, 32, 32, 0, 255), spec);
    expectSame(header({ bitsStored: 8, bitsAllocated: 8 }), frame(Int8Array, 32, 32, -128, 127), spec);
  });

  it('any number of windows, and 16-bit pixels at an offset that is not a multiple of 4', () => {
    const f = frame(Int16Array, 64, 64, -1500, 3000);
    const windows = DEFAULT_PREPROCESS.windows;
    for (const n of [1, 2, 4]) {
      const w = Array.from({ length: n }, (_, i) => windows[i % 3]!);
      expectSame(header(), f, { ...sizes(DEFAULT_PREPROCESS, 32, 32), windows: w, normalisation: { mean: w.map(() => 0.1), std: w.map(() => 0.3) } });
    }
    const bytes = new Uint8Array(f.pixels.byteLength + 2);
    bytes.set(new Uint8Array(f.pixels.buffer), 2);
    const shifted = { ...f, pixels: new Int16Array(bytes.buffer, 2, f.pixels.length) };
    expectSame(header(), shifted, sizes(DEFAULT_PREPROCESS, 32, 32));
    expectSame(header({ pixelRepresentation: 0 }), { ...f, pixels: new Uint16Array(bytes.buffer, 2, f.pixels.length) }, sizes(DEFAULT_PREPROCESS, 32, 32));
  });

  it('falls back to the two-step path where no table applies: 32-bit values, other sizes, bilinear', () => {
    expectSame(header({ bitsStored: 32, bitsAllocated: 32 }), frame(Int32Array, 40, 40, -100000, 100000), sizes(DEFAULT_PREPROCESS, 20, 20));
    const f = frame(Int16Array, 60, 50, -1024, 2000);
    expectSame(header(), f, sizes(DEFAULT_PREPROCESS, 24, 36));
    expectSame(header(), f, sizes(DEFAULT_PREPROCESS, 30, 25, 'bilinear'));
    expectSame(header(), frame(Int16Array, 512, 512, -1024, 2000), sizes(DEFAULT_PREPROCESS, 224, 224));
  });

  it('writes into a given buffer and refuses one of the wrong size', () => {
    const out = new Float32Array(3 * 32 * 32);
    expect(buildTensorFromStored(header(), frame(Int16Array, 64, 64, -1024, 2000), sizes(DEFAULT_PREPROCESS, 32, 32), out)).toBe(out);
    expect(() => buildTensorFromStored(header(), frame(Int16Array, 64, 64, 0, 1), DEFAULT_PREPROCESS, new Float32Array(7))).toThrow(
      /tensor buffer has 7 values/,
    );
  });

  it('is bit-identical on the committed fixtures (every stored type the decoders produce)', async () => {
    // ct-u12-jpeg-extended is refused by design (no 12-bit lossy JPEG decoder): nothing to compare.
    const names = readdirSync(FIXTURES).filter((f) => f.startsWith('ct-') && f.endsWith('.dcm') && f !== 'ct-u12-jpeg-extended.dcm');
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const parsed = parseDicom(readFileSync(join(FIXTURES, name)));
      const f = await decodePixels(parsed, 0);
      const spec = sizes(DEFAULT_PREPROCESS, Math.max(1, f.rows >> 1), Math.max(1, f.columns >> 1));
      expectSame(parsed.header, f, spec);
    }
  });

  it.skipIf(!existsSync(GE_DIR))('is bit-identical on the real GE head CT (../shared/data)', async () => {
    for (const name of readdirSync(GE_DIR).filter((f) => f.endsWith('.dcm')).slice(0, 6)) {
      const parsed = parseDicom(readFileSync(join(GE_DIR, name)));
      expectSame(parsed.header, await decodePixels(parsed, 0), DEFAULT_PREPROCESS);
    }
  });
});
