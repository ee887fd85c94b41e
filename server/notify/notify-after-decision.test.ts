import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SliceAnalyser } from '@/server/analysis/slice-analyser';
import { openDatabase, type Database } from '@/server/db';
import { finaliseStudy, type AfterDecision } from '@/server/triage/finalise-study';
import type { ModelIdentity } from '@/server/triage/rescore-study';
import { DEFAULT_NOTIFY_SETTINGS } from './notify-env';
import { notifyAfterDecision } from './notify-after-decision';
import { triageEventSchema } from './triage-event';

// A study with no decodable slice is decided "not analysable" without the analyser or the model.
const deps = (afterDecision: AfterDecision[]) => ({ analyser: {} as SliceAnalyser, model: {} as ModelIdentity, policy: { agingLimitMs: 30 * 60_000 }, afterDecision });
const every = { ...DEFAULT_NOTIFY_SETTINGS, webhook: { url: new URL('http://127.0.0.1:9/h'), secret: 'a-secret-of-sixteen+', events: 'triaged' as const }, fhir: { baseUrl: new URL('http://127.0.0.1:9/fhir'), token: undefined, events: 'flagged' as const } };

describe('alerts queued by finaliseStudy (SQLite)', () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'notify-finalise-'));
    db = await openDatabase({ dataDir: dir, log: pino({ level: 'silent' }) });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues the webhook event in the decision transaction, with the decision as written (FHIR set to flagged only: none)', async () => {
    const s = await db.prisma.study.create({ data: { StudyInstanceUID: '1.2.826.0.1.3680043.10.501', status: 'receiving', anyProbability: 0.4 } });
    const hook = notifyAfterDecision(every, undefined)!;
    const result = await finaliseStudy(db.prisma, deps([hook]), s.id);
    expect(result?.outcome).toBe('not_analysable');
    const rows = await db.prisma.outboxMessage.findMany({ where: { studyInstanceUid: s.StudyInstanceUID } });
    expect(rows.map((r) => r.kind)).toEqual(['webhook']);
    const event = triageEventSchema.parse(rows[0]!.payload);
    expect(event).toMatchObject({ type: 'study.triaged', study: { url: null }, result: { outcome: 'not_analysable', flagged: false, probability: null } });
    const study = await db.prisma.study.findUniqueOrThrow({ where: { id: s.id } });
    expect(event.occurredAt).toBe(study.triagedAt!.toISOString());
  });

  it('rolls the decision back with the message when a hook fails: the study is decided again later, never decided without its alert', async () => {
    const s = await db.prisma.study.create({ data: { StudyInstanceUID: '1.2.826.0.1.3680043.10.502', status: 'receiving' } });
    const failing: AfterDecision = async () => {
      throw new Error('database hiccup');
    };
    await expect(finaliseStudy(db.prisma, deps([notifyAfterDecision(every, undefined)!, failing]), s.id)).rejects.toThrow('database hiccup');
    expect(await db.prisma.study.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: 'receiving', outcome: null, triagedAt: null });
    expect(await db.prisma.outboxMessage.count({ where: { studyInstanceUid: s.StudyInstanceUID } })).toBe(0);
    expect(await db.prisma.statusChange.count({ where: { studyId: s.id } })).toBe(0);
  });

  it('does not announce a study whose status was kept (already reported)', async () => {
    const s = await db.prisma.study.create({ data: { StudyInstanceUID: '1.2.826.0.1.3680043.10.503', status: 'reported' } });
    await finaliseStudy(db.prisma, deps([notifyAfterDecision(every, undefined)!]), s.id);
    expect(await db.prisma.outboxMessage.count({ where: { studyInstanceUid: s.StudyInstanceUID } })).toBe(0);
  });
});
