/**
 * A real GE HiSpeed Dual head CT (dcm_qa_ct, 28 slices, 18.5° gantry tilt, 4 mm then 7 mm
 * slices): every slice decodes to plausible HU and the series orders by geometry
 * (../shared/data, never committed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkIsCt, decodePixels, parseDicom, toHounsfield, type DicomHeader, type HuImage } from '@/server/dicom';
import { checkSeriesUsable } from '@/server/dicom/check-series-usable';
import { intracranialSoftTissueArea, showsBrain } from '@/server/dicom/intracranial-content';
import { orderSeries } from '@/server/dicom/order-series';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data', 'dicom', 'ge-head-ct');

/** The value at quantile `q` (0..1) of `values`. */
function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float32Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Median HU of the central `size` x `size` square. */
function centralMedian(img: HuImage, size: number): number {
  const r0 = (img.rows - size) >> 1;
  const c0 = (img.columns - size) >> 1;
  const roi: number[] = [];
  for (let r = r0; r < r0 + size; r++) for (let c = c0; c < c0 + size; c++) roi.push(img.hu[r * img.columns + c]!);
  return quantile(roi, 0.5);
}

/** Slice positions along the normal computed by pydicom + numpy, or undefined without them. */
function pydicomPositions(files: string[]): Map<string, number> | undefined {
  const script = [
    'import sys, json, numpy as np, pydicom',
    'out = {}',
    'for f in sys.argv[1:]:',
    '    d = pydicom.dcmread(f, stop_before_pixels=True)',
    '    o = np.array(d.ImageOrientationPatient, float)',
    '    out[f] = float(np.dot(np.array(d.ImagePositionPatient, float), np.cross(o[:3], o[3:])))',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
  // No python3 or no pydicom/numpy here: skip; the hand-checked values in another test still run.
  if (run.error !== undefined || /No module named/.test(run.stderr)) return undefined;
  if (run.status !== 0) throw new Error(`pydicom reference failed: ${run.stderr}`);
  return new Map(Object.entries(JSON.parse(run.stdout) as Record<string, number>));
}

interface Loaded {
  file: string;
  header: DicomHeader;
  image: HuImage;
}

describe.skipIf(!existsSync(DATA))('real data: GE HiSpeed head CT with gantry tilt and uneven spacing (dcm_qa_ct)', () => {
  const slices: Loaded[] = [];

  beforeAll(async () => {
    const files = readdirSync(DATA).filter((f) => f.endsWith('.dcm')).sort();
    for (const file of files) {
      const parsed = parseDicom(readFileSync(join(DATA, file)));
      const image = toHounsfield(parsed.header, await decodePixels(parsed));
      slices.push({ file, header: parsed.header, image });
    }
  });

  it('has 28 CT slices of 512 x 512 from one series', () => {
    expect(slices).toHaveLength(28);
    for (const { header } of slices) {
      expect(() => checkIsCt(header)).not.toThrow();
      expect([header.rows, header.columns]).toEqual([512, 512]);
      expect(header.seriesInstanceUid).toBe(slices[0]!.header.seriesInstanceUid);
    }
  });

  it('decodes to plausible Hounsfield units: air ~ -1000, brain 20-45, bone > 700', () => {
    for (const { file, image } of slices) {
      // Air inside the field of view, outside the head: the padding (-1500 stored) maps to -1024.
      const air = image.hu.filter((v) => v > -1020 && v < -500);
      expect(quantile(air, 0.5), `${file} air`).toBeGreaterThan(-1010);
      expect(quantile(air, 0.5), `${file} air`).toBeLessThan(-980);
      expect(quantile(image.hu, 0), `${file} padding`).toBe(-1024);
      // Every slice cuts the skull: a ring of thousands of pixels of cortical bone.
      expect(image.hu.filter((v) => v > 700).length, `${file} bone`).toBeGreaterThan(1000);
    }
    // A central 100 x 100 px (49 mm) square of slices through the cerebrum, clear of the skull
    // base (1-8), the ventricles (18-20) and the vertex (25-28): grey and white matter.
    for (const n of [9, 10, 11, 12, 13, 14, 16, 17, 21, 22, 23, 24]) {
      const m = centralMedian(slices[n - 1]!.image, 100);
      expect(m, `slice ${n} central median`).toBeGreaterThanOrEqual(20);
      expect(m, `slice ${n} central median`).toBeLessThanOrEqual(45);
    }
  });

  it('finds brain inside the skull on every slice but the air above the vertex, most at mid-head', () => {
    const areas = slices.map(({ header, image }) => intracranialSoftTissueArea(image, header.pixelSpacing) / 100); // cm²
    expect(slices.filter(({ header, image }) => showsBrain(image, header.pixelSpacing))).toHaveLength(27);
    expect(areas[27]).toBe(0); // 28.dcm lies above the head
    expect(Math.max(...areas)).toBeGreaterThan(150); // a ventricular-level slice: 150–200 cm² of brain
    expect(Math.max(...areas)).toBeLessThan(250);
  });

  it('orders the shuffled series by position along the tilted normal, as the geometry says', () => {
    // Arrange: reverse and interleave, so neither file name nor input order can be relied on.
    const input = [...slices].reverse().sort((a, b) => (a.header.instanceNumber! % 3) - (b.header.instanceNumber! % 3));

    // Act
    const r = checkSeriesUsable(input.map((s) => ({ ...s.header, file: s.file })));

    // Assert: inferior to superior; the tilt read from IOP is the header's GantryDetectorTilt
    const positions = r.ordered.map((o) => o.position);
    positions.slice(1).forEach((p, i) => expect(p).toBeGreaterThan(positions[i]!));
    expect(r.ordered.map((o) => o.slice.file)).toEqual(slices.map((s) => s.file));
    expect(r.tiltDeg).toBeCloseTo(Math.abs(slices[0]!.header.gantryDetectorTilt!), 1);
    expect(r.normal[2]).toBeGreaterThan(0);
    expect(r.excluded).toEqual([]);
    expect(r.gaps).toEqual([]);
    expect(r.duplicates).toEqual([]);
    // Hand-checked (pydicom, dot(IPP, row x col)): 14 slices 4.002 mm apart, a 1.081 mm step
    // where the 7 mm slices begin, then 13 steps of 6.998 mm; first -33.665, last 110.423.
    expect(positions[0]).toBeCloseTo(-33.665, 2);
    expect(positions[27]).toBeCloseTo(110.423, 2);
    expect(r.spacing!.median).toBeCloseTo(4.002, 2);
    expect(r.spacing!.min).toBeCloseTo(1.081, 2);
    expect(r.spacing!.max).toBeCloseTo(6.998, 2);
    expect(positions[14]! - positions[13]!).toBeCloseTo(1.081, 2);
    expect(r.warnings.map((w) => w.code).sort()).toEqual(['GANTRY_TILT', 'SPACING_VARIABLE']);
  });

  it('InstanceNumber happens to agree with the geometric order in this series (no INSTANCE_NUMBER_ORDER)', () => {
    const r = orderSeries(slices.map((s) => s.header));

    expect(r.ordered.map((o) => o.slice.instanceNumber)).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
    // ...and IPP z alone would order it the same, but overstates spacing by 1/cos(tilt):
    const dz = slices[1]!.header.imagePositionPatient![2] - slices[0]!.header.imagePositionPatient![2];
    expect(dz).toBeCloseTo(4.002 / Math.cos((18.5 * Math.PI) / 180), 1);
  });

  it('agrees with an independent computation in pydicom + numpy, slice for slice', (ctx) => {
    const files = slices.map((s) => join(DATA, s.file));
    const reference = pydicomPositions(files);
    if (reference === undefined) ctx.skip();

    const r = orderSeries(slices.map((s, i) => ({ ...s.header, path: files[i]! })));

    const byPosition = [...reference!.entries()].sort((a, b) => a[1] - b[1]);
    expect(r.ordered.map((o) => o.slice.path)).toEqual(byPosition.map(([f]) => f));
    r.ordered.forEach((o, i) => expect(o.position).toBeCloseTo(byPosition[i]![1], 4));
  });
});
