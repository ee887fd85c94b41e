/**
 * A study without ImagesInAcquisition (as the real GE series and CT-ICH studies come) completes from
 * what its series says — its geometry, or its sender's association end — and only falls back to the
 * quiet period otherwise, then marked possibly incomplete when its slices do not cover the head.
 * Demo studies: the shipped real GE head CT, moved and noised (server/phantoms/generate-demo-study.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InferenceEngine } from '@/server/inference';
import { markSeriesSent } from '@/server/ingest/mark-series-sent';
import { generateDemoStudy } from '@/server/phantoms';
import { asUnannouncedStudy } from '../support/as-unannounced-study';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '../support/pipeline-stack';

const log = pino({ level: 'silent' });

async function until<T>(what: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('early completion of studies that do not announce their slice count', () => {
  let dataDir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack | undefined;
  let slices: Uint8Array[];
  let studyUid: string;
  let seriesUid: string;

  beforeAll(() => {
    const demo = generateDemoStudy({ seed: 4100, size: 128 });
    slices = asUnannouncedStudy(demo.slices.map((s) => s.bytes));
    studyUid = demo.studyInstanceUid;
    seriesUid = demo.seriesInstanceUid;
  }, 60_000);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'early-completion-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  });

  afterEach(async () => {
    await stack?.pipeline.stop();
    await engine.close();
    await stack?.db.close();
    stack = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (quietPeriodMs: number, early: boolean) => {
    stack = await createPipelineStack({ dataDir, engine, quietPeriodMs, completion: { early, settleMs: 300 } });
    stack.pipeline.start();
    return stack;
  };
  const send = async (s: PipelineStack, files: readonly Uint8Array[]) => {
    for (const f of files) expect((await s.ingest.ingest(f, { channel: 'test', sender: 'unit' })).status).toBe('stored');
  };
  const triaged = (s: PipelineStack, timeoutMs: number) =>
    until(() => s.db.prisma.study.findFirst({ where: { StudyInstanceUID: studyUid, status: 'triaged' }, include: { statusChanges: { orderBy: { at: 'asc' } } } }), timeoutMs);

  it('the whole head completes by its geometry, well before a 60 s quiet period', async () => {
    const s = await start(60_000, true);
    await send(s, slices);

    const study = await triaged(s, 45_000);

    expect(study.possiblyIncomplete).toBe(false);
    expect(study.statusChanges.at(-1)!.reason).toMatch(/complete: the slices cover the head$/);
  }, 60_000);

  it('cut short of the vertex: triaged after the quiet period, possibly incomplete; the late slices re-open it and it completes by geometry', async () => {
    const s = await start(1500, true);
    await send(s, slices.slice(0, -5));
    const partial = await triaged(s, 30_000);
    expect(partial.possiblyIncomplete).toBe(true);
    expect(partial.statusChanges.at(-1)!.reason).toMatch(/no slice came for the quiet period, but the slices do not cover the head \(possibly incomplete\)$/);

    await send(s, slices.slice(-5));
    const whole = await until(async () => {
      const st = await triaged(s, 30_000);
      return st.statusChanges.length >= 4 ? st : undefined;
    }, 30_000);

    expect(whole.possiblyIncomplete).toBe(false);
    expect(whole.statusChanges.map((c) => c.to)).toEqual(['receiving', 'triaged', 'receiving', 'triaged']);
    expect(whole.statusChanges.at(-1)!.reason).toMatch(/complete: (the slices cover the head|no slice came for the quiet period)$/);
  }, 90_000);

  it('a partial series its sender closed completes at the association end, not marked incomplete', async () => {
    const s = await start(60_000, true);
    await send(s, slices.slice(0, -5));
    expect(await markSeriesSent(s.db.prisma, [seriesUid], new Date())).toBe(1);

    const study = await triaged(s, 45_000);

    expect(study.possiblyIncomplete).toBe(false);
    expect(study.statusChanges.at(-1)!.reason).toMatch(/complete: the sender closed its association$/);
  }, 60_000);

  it('with the early rule off, the whole head waits for the quiet period', async () => {
    const s = await start(1500, false);
    await send(s, slices);

    const study = await triaged(s, 30_000);

    expect(study.possiblyIncomplete).toBe(false);
    expect(study.statusChanges.at(-1)!.reason).toMatch(/complete: no slice came for the quiet period$/);
  }, 60_000);
});
