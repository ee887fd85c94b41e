import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { parseDicom } from '../dicom';
import { mixHemorrhage, writePhantomStudies } from './write-phantom-studies';

describe('writePhantomStudies', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes one folder per study and RSNA-format labels for every slice', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'phantoms-'));
    dirs.push(outDir);
    const written = await writePhantomStudies({ outDir, studies: 3, seed: 100, subtype: ['epidural'], slices: 6, size: 64 });
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

  it('mixes normal, single and double bleeds, reproducibly by seed', () => {
    const mixes = Array.from({ length: 200 }, (_, i) => mixHemorrhage(i));
    expect(mixHemorrhage(17)).toEqual(mixes[17]);
    const counts = [0, 1, 2].map((n) => mixes.filter((m) => m.length === n).length);
    expect(counts[0]).toBeGreaterThan(50);
    expect(counts[1]).toBeGreaterThan(60);
    expect(counts[2]).toBeGreaterThan(10);
  });
});
