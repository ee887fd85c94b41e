import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceEngine } from '@/server/inference';
import { OutboxDispatcher, PermanentDeliveryError } from '@/server/outbox';
import { generatePhantomStudy } from '@/server/phantoms';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '@/test/support/pipeline-stack';
import { AuditLog } from '@/server/audit';
import { performStudyAction } from '@/server/triage/study-actions';
import { DICOM_RESULTS_KIND, DISAGREEMENT_REASON, dicomResultsDeliverer, dicomResultsPayloadSchema, enqueueDicomResult, enqueueResultAfterDisagreement, enqueueUpdatedDicomResult } from './dicom-results-outbox';
import { registerDicomResults } from './register-dicom-results';

const silent = pino({ level: 'silent' });
const software = { manufacturer: 'ich-triage', softwareVersion: '0.1.0', aeTitle: 'ICHTRIAGE' };

describe('dicom-results in the outbox', () => {
  let dir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack;
  let studyId: string;
  const study = generatePhantomStudy({ seed: 2718, slices: 5, size: 64, hemorrhage: 'epidural' });
  const messages = () => stack.db.prisma.outboxMessage.findMany({ where: { kind: DICOM_RESULTS_KIND }, orderBy: { createdAt: 'asc' } });
  const decided = async (at: Date) => {
    const row = await stack.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } });
    return { studyId, studyInstanceUid: row.StudyInstanceUID, outcome: row.outcome!, decidedAt: at };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dicom-results-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log: silent });
    stack = await createPipelineStack({ dataDir: dir, engine, quietPeriodMs: 500 });
    for (const s of study.slices) await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' });
    stack.pipeline.start();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const row = await stack.db.prisma.study.findUnique({ where: { StudyInstanceUID: study.studyInstanceUid }, select: { id: true, status: true } });
      if (row?.status === 'triaged') {
        studyId = row.id;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stack.pipeline.stop();
    expect(studyId, 'the study was triaged').toBeDefined();
  }, 90_000);

  afterAll(async () => {
    await engine?.close();
    await stack?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues the decided result once per decision, frozen, with UIDs derived from the event', async () => {
    const at = new Date('2026-12-02T01:00:00Z');
    const event = await decided(at);
    // As the triage hook runs: inside the decision's transaction.
    await stack.db.prisma.$transaction(async (tx) => enqueueDicomResult(tx, event));
    await stack.db.prisma.$transaction(async (tx) => enqueueDicomResult(tx, event));
    const [only, ...rest] = await messages();
    expect(rest).toEqual([]);
    expect(only!.eventId).toBe(`dicom-results:${study.studyInstanceUid}:${at.getTime()}`);
    const payload = dicomResultsPayloadSchema.parse(only!.payload);
    const row = await stack.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } });
    expect(payload.snapshot.finding.probability).toBe(row.anyProbability);
    expect(payload.snapshot.finding.flagged).toBe(row.flagged);
    expect(payload.snapshot.algorithm).toEqual({ name: engine.manifest.name, version: engine.manifest.version });
    expect(payload.snapshot.keySlices[0]!.label).toBe('any');
    expect(study.slices.map((s) => s.sopInstanceUid)).toContain(payload.snapshot.keySlices[0]!.sopInstanceUid);
    expect(payload.sr.instanceNumber).toBe(1);
    expect(payload.sr.sopInstanceUid).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(payload.predecessor).toBeUndefined();
    // No patient identifier travels in the queue: it is read from the images at delivery.
    expect(JSON.stringify(only!.payload)).not.toContain(String(row.PatientID));
  });

  it('a re-analysis or a disagreement queues a new SR naming the previous one', async () => {
    const event = await decided(new Date('2026-12-02T02:00:00Z'));
    await stack.db.prisma.$transaction(async (tx) => enqueueDicomResult(tx, event));
    await enqueueUpdatedDicomResult(stack.db.prisma, studyId, study.studyInstanceUid, 'feedback-7', 'clinician disagreement');
    const [first, second, third] = (await messages()).map((m) => dicomResultsPayloadSchema.parse(m.payload));
    expect(second!.predecessor?.sopInstanceUid).toBe(first!.sr.sopInstanceUid);
    expect(second!.reason).toBe('updated result: the study was analysed again');
    expect(third!.predecessor?.sopInstanceUid).toBe(second!.sr.sopInstanceUid);
    expect(third!.reason).toBe('clinician disagreement');
    expect([first, second, third].map((p) => p!.sr.instanceNumber)).toEqual([1, 2, 3]);
    expect(new Set([first, second, third].map((p) => p!.sr.sopInstanceUid)).size).toBe(3);
  });

  it("a clinician's disagreement queues an updated SR with the action, never their comment", async () => {
    const before = await messages();
    const user = await stack.db.prisma.user.create({ data: { username: 'ana', role: 'clinician', passwordHash: 'x', mustChangePassword: false } });
    const actor = { userId: user.id, username: 'ana', ip: '10.1.2.3' };
    const audit = new AuditLog(stack.db.prisma, stack.db.provider);
    await performStudyAction(audit, study.studyInstanceUid, { action: 'disagree', comment: 'Jane Doe: obvious EDH on slice 3' }, actor, new Date(), { afterDisagreement: enqueueResultAfterDisagreement });
    const after = await messages();
    expect(after).toHaveLength(before.length + 1);
    const last = after.at(-1)!;
    const payload = dicomResultsPayloadSchema.parse(last.payload);
    expect(payload.reason).toBe(DISAGREEMENT_REASON);
    expect(payload.predecessor?.sopInstanceUid).toBe(dicomResultsPayloadSchema.parse(before.at(-1)!.payload).sr.sopInstanceUid);
    expect(JSON.stringify(last.payload)).not.toContain('Jane');
    const feedback = await stack.db.prisma.studyFeedback.findFirstOrThrow({ where: { studyId } });
    expect(last.eventId).toBe(`dicom-results:${study.studyInstanceUid}:feedback:${feedback.id}`);
    // An agreement changes nothing the PACS holds.
    await performStudyAction(audit, study.studyInstanceUid, { action: 'agree' }, { ...actor, username: 'ana' }, new Date(), { afterDisagreement: enqueueResultAfterDisagreement }).catch(() => undefined);
    expect(await messages()).toHaveLength(after.length);
  });

  it('queues nothing for a study with no result to report', async () => {
    const before = (await messages()).length;
    await stack.db.prisma.study.update({ where: { id: studyId }, data: { outcome: 'not_analysable' } });
    await enqueueDicomResult(stack.db.prisma, await decided(new Date('2026-12-02T03:00:00Z')));
    expect((await messages()).length).toBe(before);
    await stack.db.prisma.study.update({ where: { id: studyId }, data: { outcome: (await stack.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } })).flagged ? 'flagged' : 'not_flagged' } });
  });

  it('a target that refuses the connection is retried, a purged study fails for good', async () => {
    const dispatcher = new OutboxDispatcher({ prisma: stack.db.prisma, log: silent });
    // Port 9 on loopback: nothing listens (discard service is not run here).
    dispatcher.registerDeliverer(DICOM_RESULTS_KIND, dicomResultsDeliverer({ prisma: stack.db.prisma, files: stack.files, targets: { dimse: { host: '127.0.0.1', port: 9, calledAeTitle: 'PACS', callingAeTitle: 'ICHTRIAGE' } }, software }), dicomResultsPayloadSchema);
    await dispatcher.runOnce();
    const tried = await messages();
    expect(tried.every((m) => m.state === 'pending' && m.attempts === 1), JSON.stringify(tried.map((m) => [m.state, m.lastError]))).toBe(true);
    expect(tried[0]!.lastError).toMatch(/cannot connect to PACS@127\.0\.0\.1:9/);

    await stack.db.prisma.study.update({ where: { id: studyId }, data: { filesPurgedAt: new Date() } });
    const deliver = dicomResultsDeliverer({ prisma: stack.db.prisma, files: stack.files, targets: { stow: { url: 'http://127.0.0.1:9/studies' } }, software });
    const message = tried[0]!;
    await expect(deliver({ ...message, payload: dicomResultsPayloadSchema.parse(message.payload), attempt: 2 }, new AbortController().signal)).rejects.toBeInstanceOf(PermanentDeliveryError);
    await stack.db.prisma.study.update({ where: { id: studyId }, data: { filesPurgedAt: null } });
  });

  it('is registered on a node only when a target is configured', () => {
    const kinds: string[] = [];
    const hooks: unknown[] = [];
    const outbox = { dispatcher: { registerDeliverer: (kind: string) => void kinds.push(kind) }, afterDecision: hooks };
    const deps = { prisma: stack.db.prisma, files: stack.files, aeTitle: 'ICHTRIAGE', softwareVersion: '0.1.0', log: silent };
    registerDicomResults(outbox, { ...deps, targets: undefined });
    expect([kinds, hooks]).toEqual([[], []]);
    registerDicomResults(outbox, { ...deps, targets: { stow: { url: 'https://pacs.lan/dicom-web/studies' } } });
    expect(kinds).toEqual([DICOM_RESULTS_KIND]);
    expect(hooks).toEqual([enqueueDicomResult]);
  });
});
