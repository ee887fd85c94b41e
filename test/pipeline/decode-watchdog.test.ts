/**
 * The decode watchdog through the whole pipeline: a slice whose decoder never returns (a stuck
 * WASM codec, stood in for by the test worker in server/decode-pool/__fixtures__) fails with
 * DICOM_DECODE_TIMEOUT on its instance row, like any bad input (kept and listed, never silently
 * skipped), while the study's other slices are analysed and the study is triaged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DecodePool } from '@/server/decode-pool';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '../support/pipeline-stack';

const log = pino({ level: 'silent' });
let dataDir: string;
let engine: InferenceEngine;
let pool: DecodePool;
let stack: PipelineStack | undefined;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'decode-watchdog-'));
  engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  pool = new DecodePool({ size: 1, timeoutMs: 1000, entry: new URL('../../server/decode-pool/__fixtures__/hanging-decode-worker.ts', import.meta.url) });
});

afterEach(async () => {
  await stack?.pipeline.stop();
  await pool.close();
  await engine.close();
  await stack?.db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('fails a slice whose decoder hangs with DICOM_DECODE_TIMEOUT and triages the study from the others', { timeout: 180_000 }, async () => {
  stack = await createPipelineStack({ dataDir, engine, decoder: pool });
  stack.pipeline.start();
  const phantom = generatePhantomStudy({ seed: 11, slices: 6, size: 64, hemorrhage: [] });
  const stuck = phantom.slices[2]!;
  // The marker goes into the last pixels: still a valid CT file, which the test worker hangs on.
  const poisoned = new Uint8Array(stuck.bytes);
  poisoned.set(new TextEncoder().encode('HANGME'), poisoned.length - 6);
  for (const [i, s] of phantom.slices.entries()) {
    expect((await stack.ingest.ingest(i === 2 ? poisoned : s.bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');
  }
  const end = Date.now() + 150_000;
  let study;
  while (!(study = await stack.db.prisma.study.findFirst({ where: { StudyInstanceUID: phantom.studyInstanceUid, status: 'triaged' } }))) {
    if (Date.now() > end) throw new Error('study not triaged');
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = await stack.db.prisma.instance.findMany({ where: { studyId: study.id }, select: { SOPInstanceUID: true, decodeStatus: true, decodeErrorCode: true, decodeErrorMessage: true } });
  const failed = rows.filter((r) => r.decodeStatus === 'failed');
  expect(failed).toEqual([{ SOPInstanceUID: stuck.sopInstanceUid, decodeStatus: 'failed', decodeErrorCode: 'DICOM_DECODE_TIMEOUT', decodeErrorMessage: expect.stringContaining('1000 ms') }]);
  expect(rows.filter((r) => r.decodeStatus === 'decoded')).toHaveLength(5);
  expect(await stack.db.prisma.slicePrediction.count({ where: { studyId: study.id } })).toBe(5);
  expect(pool.size).toBe(1); // the stuck worker was replaced
});
