import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { parseDicom } from '../dicom';
import { demoMixHemorrhage, mixHemorrhage, writePhantomStudies } from './write-phantom-studies';

describe('writePhantomStudies', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes one folder per study and RSNA-format labels for every slice', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'phantoms-'));
    dirs.push(outDir);
    const written = await writePhantomStudies({ outDir, studies: 3, seed: 100, subtype: ['epidural'], kind: 'cartoon', slices: 6, size: 64 });
    expect(written.map((w) => w.seed)).toEqual([100, 101, 102]);
    const csv = (await readFile(join(outDir, 'truth.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('ID,Label');
    expect(csv.length).toBe(1 + 3 * 6 * LABELS.length);
    const labels = new Map(csv.slice(1).map((line) => line.split(',') as [string, string]));
    for (const w of written) {
      const files = (await readdir(join(outDir, w.folder))).sort();
      expect(files.length).toBe(6);
      for (const file of files) {
        const { header } = parseDicom(new Uint8Array(await readFile(join(outDir, w.folder, file))));
        expect(file).toBe(`${header.sopInstanceUid}.dcm`);
        expect(header.studyInstanceUid).toBe(w.studyInstanceUid);
        for (const label of LABELS) expect(labels.get(`${header.sopInstanceUid}_${label}`)).toMatch(/^[01]$/);
        // RSNA's "any" is the OR of the subtypes; only epidural was asked for.
        const any = labels.get(`${header.sopInstanceUid}_any`);
        expect(any).toBe(labels.get(`${header.sopInstanceUid}_epidural`));
        expect(labels.get(`${header.sopInstanceUid}_subdural`)).toBe('0');
      }
    }
    const studies = (await readFile(join(outDir, 'studies.csv'), 'utf8')).trim().split('\n');
    expect(studies[0]).toBe(`folder,seed,StudyInstanceUID,${LABELS.join(',')}`);
    expect(studies.slice(1).every((row) => row.endsWith(',1,1,0,0,0,0'))).toBe(true);
  });

  it('writes the demo kind by default: real anatomy, truth.csv and studies.csv from the synthesis mask', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'phantoms-demo-'));
    dirs.push(outDir);
    const written = await writePhantomStudies({ outDir, studies: 2, seed: 300, subtype: ['subdural'], slices: 20, size: 128 });
    expect(written.map((w) => w.subtypes)).toEqual([['subdural'], ['subdural']]);
    const csv = (await readFile(join(outDir, 'truth.csv'), 'utf8')).trim().split('\n');
    expect(csv.length).toBe(1 + 2 * 20 * LABELS.length);
    const files = await readdir(join(outDir, written[0]!.folder));
    const { header } = parseDicom(new Uint8Array(await readFile(join(outDir, written[0]!.folder, files[0]!))));
    expect(header.patientName).toMatch(/^DEMO\^/);
    expect(header.gantryDetectorTilt).toBe(18.5);
    const studies = (await readFile(join(outDir, 'studies.csv'), 'utf8')).trim().split('\n');
    expect(studies.slice(1).every((row) => row.endsWith(',1,0,0,0,0,1'))).toBe(true);
  }, 120_000);

  it('gives the demo mix 40% bleeds (60% normal), reproducibly by seed', () => {
    const mixes = Array.from({ length: 500 }, (_, i) => demoMixHemorrhage(i));
    expect(demoMixHemorrhage(17)).toEqual(mixes[17]);
    const normal = mixes.filter((m) => m.length === 0).length / mixes.length;
    expect(normal).toBeGreaterThan(0.52);
    expect(normal).toBeLessThan(0.68);
    expect(mixes.some((m) => m.length === 2)).toBe(true);
  });

  it('mixes normal, single and double bleeds, reproducibly by seed', () => {
    const mixes = Array.from({ length: 200 }, (_, i) => mixHemorrhage(i));
    expect(mixHemorrhage(17)).toEqual(mixes[17]);
    const counts = [0, 1, 2].map((n) => mixes.filter((m) => m.length === n).length);
    expect(counts[0]).toBeGreaterThan(50);
    expect(counts[1]).toBeGreaterThan(60);
    expect(counts[2]).toBeGreaterThan(10);
  });
});
