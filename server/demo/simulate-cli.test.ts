import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePhantomStudies } from '@/server/phantoms';
import { startTestListener, type TestListener } from './__fixtures__/start-test-listener';

const run = promisify(execFile);

/** Runs `npx tsx scripts/simulate.ts ...args`; resolves with the exit code and output either way. */
function simulate(args: string[]): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
  const parse = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return run('npx', ['tsx', 'scripts/simulate.ts', ...args], { timeout: 120_000 }).then(
    (r) => ({ code: 0, lines: parse(r.stdout), stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, lines: parse(e.stdout), stderr: e.stderr }),
  );
}

describe('npm run simulate, end to end against the real listener', () => {
  let listener: TestListener;
  let target: string;
  beforeAll(async () => {
    listener = await startTestListener();
    target = `ICHTRIAGE@127.0.0.1:${listener.port}`;
  });
  afterAll(() => listener.stop());

  it('replays a folder of 2 phantom studies, one association per study, and exits 0', async () => {
    const dir = join(listener.root, 'replay');
    const written = await writePhantomStudies({ outDir: dir, studies: 2, seed: 9100, subtype: 'mix', kind: 'cartoon', slices: 3, size: 64 });
    const connectionsBefore = listener.connections();

    const r = await simulate(['--dir', dir, '--target', target, '--aet', 'REPLAY', '--rate', '600/min']);

    expect(r.code, r.stderr).toBe(0);
    const studies = r.lines.filter((l) => !l.summary);
    expect(studies.map((l) => [l.studyInstanceUid, l.instances, l.stored, l.failed])).toEqual(written.map((w) => [w.studyInstanceUid, 3, 3, 0]));
    expect(r.lines.at(-1)).toMatchObject({ summary: true, studies: 2, instances: 6, stored: 6, failed: 0, skippedFiles: 2 }); // truth.csv, studies.csv
    const fromCli = listener.recorded.filter((i) => i.source.sender === 'REPLAY');
    expect(new Set(fromCli.map((i) => i.header.studyInstanceUid))).toEqual(new Set(written.map((w) => w.studyInstanceUid)));
    expect(fromCli).toHaveLength(6);
    expect(listener.connections() - connectionsBefore).toBe(2);
  });

  it('sends generated phantoms with --phantoms, and exits 1 naming the reason when an instance is refused', async () => {
    const dir = join(listener.root, 'mixed');
    mkdirSync(dir, { recursive: true });
    copyFileSync('server/dicom/__fixtures__/mr-u16.dcm', join(dir, 'mr.dcm'));

    const phantoms = await simulate(['--phantoms', '1', '--slices', '2', '--size', '64', '--seed', '9200', '--target', target]);
    const refused = await simulate(['--dir', dir, '--target', target]);

    expect(phantoms.code, phantoms.stderr).toBe(0);
    expect(phantoms.lines[0]).toMatchObject({ study: 1, seed: 9200, instances: 2, stored: 2, failed: 0, studyInstanceUid: expect.stringMatching(/^2\.25\./) });
    expect(refused.code).toBe(1);
    expect(refused.lines[0]).toMatchObject({ stored: 0, failed: 1, failures: [{ file: join(dir, 'mr.dcm'), status: 0xc000, reason: expect.stringMatching(/^DICOM_NOT_CT/) }] });
  });

  it('sends over DICOMweb STOW-RS to an http(s) target, through the same ingest path', async () => {
    const before = listener.recorded.length;
    const stow = await simulate(['--phantoms', '1', '--seed', '9300', '--slices', '3', '--size', '64', '--target', listener.stowBase]);
    expect(stow.code, stow.stderr).toBe(0);
    expect(stow.lines[0]).toMatchObject({ study: 1, instances: 3, stored: 3, failed: 0 });
    expect(listener.recorded.slice(before).map((r) => r.source.channel)).toEqual(['stow', 'stow', 'stow']);
  });
});
