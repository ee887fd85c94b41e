/**
 * The analysis path builds each slice's planes straight from its stored values and assembles the
 * model input from them (model-planes.ts, decode task 'model'); the old path decoded to HU and ran
 * buildContextTensor on the slice's and its neighbours' HU images. They must give the same tensor
 * bit for bit, the same brain area, header, warnings and failures: on the real GE head CT (when
 * ../shared/data has it), on demo studies of the shipped real anatomy (always), on every committed
 * fixture type, for the shipped model and for the sizes a next model may use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import type { ModelManifest, PreprocessSpec } from '@/lib/model-manifest';
import { InlineSliceDecoder } from '@/server/decode-pool';
import type { HuImage } from '@/server/dicom';
import { generateDemoStudy } from '@/server/phantoms';
import { buildContextTensor } from './build-context-tensor';
import { assembleContextTensor, modelPlanesFromHu, planeLayout } from './model-planes';

const GE_DIR = fileURLToPath(new URL('../../../shared/data/dicom/ge-head-ct', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../dicom/__fixtures__', import.meta.url));
const SHIPPED = (JSON.parse(readFileSync(new URL('../../models/ich-cnn-3.0.0.json', import.meta.url), 'utf8')) as ModelManifest).preprocess;
const sized = (spec: PreprocessSpec, size: number): PreprocessSpec => ({ ...spec, inputSize: { height: size, width: size } });
/** Five channels, two reading neighbours, the same window twice with different normalisation. */
const ODD: PreprocessSpec = {
  windows: [
    { name: 'brain', center: 40, width: 80, sliceOffset: -1 },
    { name: 'brain', center: 40, width: 80 },
    { name: 'stroke', center: 35, width: 40, sliceOffset: 1 },
    { name: 'subdural', center: 80, width: 200 },
    { name: 'brain', center: 40, width: 80 },
  ],
  inputSize: { height: 100, width: 76 },
  resize: 'area',
  normalisation: { mean: [0.1, 0.1, 0.3, 0.2, 0.5], std: [0.5, 0.5, 0.2, 0.25, 2] },
};
const SPECS: Array<[string, PreprocessSpec]> = [
  ['shipped 512 -> 128', SHIPPED],
  ['512 -> 192', sized(SHIPPED, 192)],
  ['512 -> 256', sized(SHIPPED, 256)],
  ['bilinear 512 -> 160', { ...sized(SHIPPED, 160), resize: 'bilinear' }],
  ['odd channels, 512 -> 100x76', ODD],
];

const decoder = new InlineSliceDecoder();
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Old path and new path over one series (files in slice order); every slice's tensor must match. */
async function expectSameSeries(files: Uint8Array[], specs: Array<[string, PreprocessSpec]>): Promise<void> {
  const old = await Promise.all(files.map((f) => decoder.decodeSlice(f.slice(), { measureBrain: true })));
  const hu: HuImage[] = old.map((s) => s.hu);
  for (const [name, spec] of specs) {
    const fresh = await Promise.all(files.map((f) => decoder.decodeForModel(f.slice(), spec, { measureBrain: true })));
    fresh.forEach((s, i) => {
      expect(s.header, name).toEqual(old[i]!.header);
      expect(s.warnings, name).toEqual(old[i]!.warnings);
      expect(Object.is(s.brainAreaMm2, old[i]!.brainAreaMm2), `${name} slice ${i} brain ${s.brainAreaMm2} vs ${old[i]!.brainAreaMm2}`).toBe(true);
      expect(same(s.planes, modelPlanesFromHu(hu[i]!, spec)), `${name} slice ${i} planes`).toBe(true);
    });
    for (let i = 0; i < files.length; i++) {
      const want = buildContextTensor(spec, (o) => hu[i + o]);
      const got = assembleContextTensor(spec, (o) => fresh[i + o]?.planes);
      expect(same(got, want), `${name} slice ${i} tensor`).toBe(true);
    }
  }
}

describe('model planes', () => {
  it('lays out one plane per distinct window and normalisation', () => {
    const shipped = planeLayout(SHIPPED);
    expect(shipped.planeSpec.windows.map((w) => w.name)).toEqual(['brain', 'subdural', 'bone']);
    expect(shipped.sources).toEqual([
      { plane: 0, offset: -1 },
      { plane: 0, offset: 0 },
      { plane: 0, offset: 1 },
      { plane: 1, offset: 0 },
      { plane: 2, offset: 0 },
    ]);
    expect(planeLayout(SHIPPED)).toBe(shipped); // planned once per spec object
    // The same brain window under another normalisation is a plane of its own.
    expect(planeLayout(ODD).sources.map((s) => s.plane)).toEqual([0, 0, 1, 2, 3]);
    expect(planeLayout(ODD).planeSpec.normalisation).toEqual({ mean: [0.1, 0.3, 0.2, 0.5], std: [0.5, 0.2, 0.25, 2] });
  });

  it('gives the old path tensors, brain areas and headers on demo studies of the shipped real anatomy', { timeout: 120_000 }, async () => {
    const study = generateDemoStudy({ seed: 14, slices: 6, hemorrhage: 'subdural' });
    await expectSameSeries(study.slices.map((s) => s.bytes), SPECS);
    // Another size of the same anatomy (the resample tables differ: 300 -> 128 is 2.34x).
    const small = generateDemoStudy({ seed: 15, slices: 3, size: 300 });
    await expectSameSeries(small.slices.map((s) => s.bytes), SPECS.slice(0, 2));
  });

  it.skipIf(!existsSync(GE_DIR))('gives the old path tensors and brain areas on the real GE head CT (../shared/data)', { timeout: 180_000 }, async () => {
    const files = readdirSync(GE_DIR).filter((f) => f.endsWith('.dcm')).sort().map((f) => new Uint8Array(readFileSync(join(GE_DIR, f))));
    expect(files.length).toBeGreaterThan(20);
    await expectSameSeries(files, SPECS.slice(0, 3));
    await expectSameSeries(files.slice(8, 12), SPECS.slice(3));
  });

  it('gives the old path on every committed fixture type (8/16-bit, signed, RSNA 12-bit, compressed)', { timeout: 120_000 }, async () => {
    const names = readdirSync(FIXTURES).filter((f) => f.startsWith('ct-') && f.endsWith('.dcm') && f !== 'ct-u12-jpeg-extended.dcm');
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) await expectSameSeries([new Uint8Array(readFileSync(join(FIXTURES, name)))], [[`${name} shipped`, SHIPPED], [`${name} odd`, ODD]]);
  });

  it('stands the slice itself in for a missing neighbour, as buildContextTensor does', async () => {
    const study = generateDemoStudy({ seed: 16, slices: 2, size: 128 });
    const bytes = study.slices[0]!.bytes;
    const { hu } = await decoder.decodeSlice(bytes.slice());
    const { planes } = await decoder.decodeForModel(bytes.slice(), SHIPPED);
    expect(same(assembleContextTensor(SHIPPED, (o) => (o === 0 ? planes : undefined)), buildContextTensor(SHIPPED, (o) => (o === 0 ? hu : undefined)))).toBe(true);
    expect(() => assembleContextTensor(SHIPPED, () => undefined)).toThrow(/needs the slice itself/);
    expect(() => assembleContextTensor(SHIPPED, () => new Float32Array(5))).toThrow(/slice planes have 5 values/);
  });

  it('fails bad input with the codes decodeSlice gives, and a bad spec as no input error', async () => {
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (isAppError(e) ? e.code : `plain: ${(e as Error).message}`));
    const junk = () => new Uint8Array(300).fill(7);
    const mr = () => new Uint8Array(readFileSync(join(FIXTURES, 'mr-u16.dcm')));
    const lossy12 = () => new Uint8Array(readFileSync(join(FIXTURES, 'ct-u12-jpeg-extended.dcm')));
    for (const bytes of [junk, mr, lossy12]) {
      const want = await codeOf(decoder.decodeSlice(bytes()));
      expect(want).toMatch(/^DICOM_/);
      expect(await codeOf(decoder.decodeForModel(bytes(), SHIPPED))).toBe(want);
    }
    const broken: PreprocessSpec = { ...SHIPPED, normalisation: { mean: [0, 0, 0, 0, 0], std: [1, 0, 1, 1, 1] } };
    const ok = new Uint8Array(readFileSync(join(FIXTURES, 'ct-s16.dcm')));
    expect(await codeOf(decoder.decodeForModel(ok, broken))).toMatch(/^plain: building the model input failed: MODEL_MANIFEST_INVALID/);
  });
});
