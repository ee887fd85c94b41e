import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePhantomStudies } from '@/server/phantoms/write-phantom-studies';
import { TEST_MODEL_MANIFEST } from '@/test/support/pipeline-stack';

/** `npm run render -- <folder> --model`: the evidence contact sheet, run as a person runs it. */
describe('npm run render with --model', () => {
  let dir: string;
  let study: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'render-model-'));
    const [written] = await writePhantomStudies({ outDir: join(dir, 'in'), studies: 1, seed: 31, kind: 'cartoon', subtype: ['subdural'], slices: 6, size: 128 });
    study = join(dir, 'in', written!.folder);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const render = (...args: string[]) => spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/render-slice.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('writes an RGB sheet and reports each slice probability and map peak of the chosen label, in series order', () => {
    const out = join(dir, 'sheet.png');

    const run = render(study, '--out', out, '--model', TEST_MODEL_MANIFEST, '--label', 'subdural', '--tile', '64');

    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { model: string; label: string; slices: { position: number; probability: number; mapPeak?: { value: number; row: number; column: number } }[] };
    expect(report.model).toBe('tiny-test@0.1.0');
    expect(report.label).toBe('subdural');
    expect(report.slices).toHaveLength(6);
    for (const s of report.slices) {
      expect(s.probability).toBeGreaterThanOrEqual(0);
      expect(s.probability).toBeLessThanOrEqual(1);
      expect(s.mapPeak?.row).toBeGreaterThan(0);
      expect(s.mapPeak?.column).toBeLessThan(1);
    }
    const positions = report.slices.map((s) => s.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const png = readFileSync(out);
    expect(png.readUInt32BE(16)).toBeGreaterThan(64); // IHDR width: a grid of 64 px tiles
    expect(png[25]).toBe(2); // colour type RGB
  });

  it('refuses an unknown label with a usage error before reading anything', () => {
    const run = render(study, '--model', TEST_MODEL_MANIFEST, '--label', 'fracture');

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--label must be one of any, epidural/);
  });
});
