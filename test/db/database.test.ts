import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '@/lib/labels';
import { openDatabase, WORKLIST_ACTIVE_STATUSES, WORKLIST_ORDER_BY, type Database, type DbClient } from '@/server/db';
import { allTestDatabases, memoryLog } from '../support/test-databases';

/** A study with its series and one instance; `n` makes the UIDs unique. */
async function createStudy(prisma: DbClient, n: number, fields: { flagged?: boolean; anyProbability?: number | null; receivedAt?: Date } = {}) {
  return prisma.study.create({
    data: {
      StudyInstanceUID: `1.2.826.0.1.3680043.8.498.${n}`,
      PatientID: `PID${n}`,
      PatientName: `Doe^Jane${n}`,
      status: 'triaged',
      flagged: fields.flagged ?? false,
      anyProbability: fields.anyProbability ?? null,
      receivedAt: fields.receivedAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    },
  });
}

const instanceData = (studyId: string, seriesId: string, uid: string) => ({
  SOPInstanceUID: uid,
  studyId,
  seriesId,
  slicePosition: 12.5,
  storedPath: `studies/${uid}.dcm`,
  sizeBytes: 525_000,
  sha256: 'ab'.repeat(32),
});

/**
 * The trigger's refusal. Prisma reports SQLite's trigger abort (SQLITE_CONSTRAINT_TRIGGER) as a
 * foreign key violation (P2003), so look for the trigger's own message anywhere in the error.
 */
async function expectAppendOnlyRefusal(operation: Promise<unknown>): Promise<void> {
  const err = await operation.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the change went through').not.toBeNull();
  const text = `${String(err)} ${JSON.stringify(err, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message } : v))}`;
  expect(text).toMatch(/AuditEvent is append-only/);
}

describe.each(allTestDatabases())('the triage database on $provider', (dbs) => {
  let db: Database;
  let prisma: DbClient;

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log: memoryLog() });
    prisma = db.prisma;
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('stores a SOP Instance UID once; a repeated delivery through upsert is a no-op', async () => {
    const study = await createStudy(prisma, 1);
    const series = await prisma.series.create({ data: { SeriesInstanceUID: '1.2.3.1', studyId: study.id } });
    const data = instanceData(study.id, series.id, '1.2.3.1.1');
    const upsert = () => prisma.instance.upsert({ where: { SOPInstanceUID: data.SOPInstanceUID }, create: data, update: {} });
    const a = await upsert();
    const b = await upsert();
    expect(b.id).toBe(a.id);
    expect(await prisma.instance.count({ where: { SOPInstanceUID: data.SOPInstanceUID } })).toBe(1);
    // A plain second insert is refused by the unique index (P2002), not silently duplicated.
    await expect(prisma.instance.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it.skipIf(dbs.unavailable)('keeps per-slice predictions in label order and the study result beside the study', async () => {
    const study = await createStudy(prisma, 2, { flagged: true, anyProbability: 0.91 });
    const series = await prisma.series.create({ data: { SeriesInstanceUID: '1.2.3.2', studyId: study.id } });
    const instance = await prisma.instance.create({ data: instanceData(study.id, series.id, '1.2.3.2.1') });
    const probabilities = [0.91, 0.02, 0.8, 0.1, 0.05, 0.01];
    const prediction = await prisma.slicePrediction.create({
      data: {
        instanceId: instance.id,
        studyId: study.id,
        modelVersion: 'test-1',
        localizationRef: 'maps/1.2.3.2.1.png',
        ...Object.fromEntries(LABELS.map((label, i) => [`${label}Probability`, probabilities[i]])),
      } as never,
    });
    expect(LABELS.map((label) => prediction[`${label}Probability` as keyof typeof prediction])).toEqual(probabilities);
    await prisma.study.update({
      where: { id: study.id },
      data: { modelName: 'ich-net', modelVersion: 'test-1', modelProvider: 'cpu', aggregationMethod: 'max', intraparenchymalProbability: 0.8, intraparenchymalFlagged: true, version: { increment: 1 } },
    });
    const saved = await prisma.study.findUniqueOrThrow({ where: { id: study.id }, include: { slicePredictions: true } });
    expect(saved).toMatchObject({ flagged: true, intraparenchymalFlagged: true, aggregationMethod: 'max', version: 1 });
    expect(saved.slicePredictions).toHaveLength(1);
    // One prediction per slice and model version.
    await expect(
      prisma.slicePrediction.create({ data: { ...prediction, id: undefined, inferredAt: undefined } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it.skipIf(dbs.unavailable)('returns the worklist by priority tier, then by any-probability (unscored last), then by arrival', async () => {
    await prisma.study.deleteMany();
    const t = (s: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, s));
    const rows: [string, boolean, number | null, Date, number][] = [
      ['low-early', false, 0.1, t(1), 2],
      ['unscored', false, null, t(2), 2],
      ['flagged-0.7', true, 0.7, t(3), 0],
      ['high', false, 0.4, t(4), 2],
      ['flagged-0.95', true, 0.95, t(5), 0],
      ['low-late', false, 0.1, t(6), 2],
      ['flagged-0.7-later', true, 0.7, t(7), 0],
      ['not-analysable', false, null, t(8), 1],
      ['aged', false, 0.05, t(0), 1],
    ];
    for (const [i, [name, flagged, anyProbability, receivedAt, priorityTier]] of rows.entries()) {
      await prisma.study.create({
        data: { StudyInstanceUID: `2.${i}`, StudyDescription: name, flagged, anyProbability, receivedAt, priorityTier, status: i === 3 ? 'in_review' : 'triaged' },
      });
    }
    await prisma.study.create({ data: { StudyInstanceUID: '2.99', StudyDescription: 'reported', flagged: true, anyProbability: 0.99, status: 'reported' } });
    const worklist = await prisma.study.findMany({
      where: { status: { in: [...WORKLIST_ACTIVE_STATUSES] } },
      orderBy: [...WORKLIST_ORDER_BY],
      select: { StudyDescription: true },
    });
    expect(worklist.map((s) => s.StudyDescription)).toEqual([
      'flagged-0.95',
      'flagged-0.7',
      'flagged-0.7-later',
      'aged',
      'not-analysable',
      'high',
      'low-early',
      'low-late',
      'unscored',
    ]);
  });

  it.skipIf(dbs.unavailable)('reads a worklist page off the index at 10,000 studies', async () => {
    await prisma.study.deleteMany();
    const base = Date.UTC(2026, 0, 3);
    const statuses = ['reported', 'dismissed', 'triaged', 'receiving', 'analysing', 'in_review'] as const;
    for (let chunk = 0; chunk < 10; chunk++) {
      await prisma.study.createMany({
        data: Array.from({ length: 1000 }, (_, j) => {
          const n = chunk * 1000 + j;
          return {
            StudyInstanceUID: `3.${n}`,
            status: statuses[n % statuses.length]!,
            flagged: n % 17 === 0,
            priorityTier: n % 17 === 0 ? 0 : n % 23 === 0 ? 1 : 2,
            anyProbability: n % 11 === 0 ? null : ((n * 7919) % 1000) / 1000,
            receivedAt: new Date(base + n * 1000),
          };
        }),
      });
    }
    // The plan walks the worklist index in order: no sort of the whole table. (PostgreSQL after
    // ANALYZE, as autovacuum does in production; without statistics it sorts: ~8 ms here.)
    if (dbs.provider === 'postgresql') await prisma.$executeRawUnsafe('ANALYZE "Study"');
    const sql =
      `SELECT "id" FROM "Study" WHERE "status" IN ('receiving','analysing','triaged','in_review') ` +
      `ORDER BY "priorityTier" ASC, "anyProbability" DESC NULLS LAST, "receivedAt" ASC, "id" ASC LIMIT 50`;
    if (dbs.provider === 'sqlite') {
      const plan = JSON.stringify(await prisma.$queryRawUnsafe(`EXPLAIN QUERY PLAN ${sql}`));
      expect(plan).toContain('Study_priorityTier_anyProbability_receivedAt_id_status_idx');
      expect(plan).not.toContain('TEMP B-TREE');
    } else {
      const plan = JSON.stringify(await prisma.$queryRawUnsafe(`EXPLAIN ${sql}`));
      expect(plan).toContain('Study_priorityTier_anyProbability_receivedAt_id_status_idx');
      expect(plan).not.toMatch(/"Sort|Sort Key/);
    }
    const page = () =>
      prisma.study.findMany({ where: { status: { in: [...WORKLIST_ACTIVE_STATUSES] } }, orderBy: [...WORKLIST_ORDER_BY], take: 50, select: { id: true } });
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      await page();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)]!;
    process.stdout.write(`${dbs.provider}: worklist page of 50 at 10,000 studies: median ${times[20]!.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms\n`);
  }, 120_000);

  it.skipIf(dbs.unavailable)('refuses to change or delete an audit event', async () => {
    await prisma.auditEvent.create({ data: { seq: 1, action: 'study.open', details: '{}', prevHash: '0'.repeat(64), hash: 'a'.repeat(64) } });
    await expectAppendOnlyRefusal(prisma.auditEvent.update({ where: { seq: 1 }, data: { action: 'forged' } }));
    await expectAppendOnlyRefusal(prisma.auditEvent.delete({ where: { seq: 1 } }));
    await expectAppendOnlyRefusal(prisma.auditEvent.deleteMany());
    await expectAppendOnlyRefusal(prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'forged'`));
    if (dbs.provider === 'postgresql') await expectAppendOnlyRefusal(prisma.$executeRawUnsafe('TRUNCATE "AuditEvent"'));
    expect(await prisma.auditEvent.findUniqueOrThrow({ where: { seq: 1 } })).toMatchObject({ action: 'study.open' });
    // The chain is extended by the writer, never by the database: a second seq 1 is refused.
    await expect(
      prisma.auditEvent.create({ data: { seq: 1, action: 'x', details: '{}', prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it.skipIf(dbs.unavailable)('removes a study with everything that belongs to it (foreign keys are enforced)', async () => {
    const study = await createStudy(prisma, 4);
    const series = await prisma.series.create({ data: { SeriesInstanceUID: '1.2.3.4', studyId: study.id } });
    await prisma.instance.create({ data: instanceData(study.id, series.id, '1.2.3.4.1') });
    await prisma.statusChange.create({ data: { studyId: study.id, from: 'receiving', to: 'analysing' } });
    await prisma.study.delete({ where: { id: study.id } });
    expect(await prisma.instance.count({ where: { studyId: study.id } })).toBe(0);
    expect(await prisma.series.count({ where: { studyId: study.id } })).toBe(0);
    await expect(prisma.instance.create({ data: instanceData('no-such-study', series.id, '1.2.3.4.2') })).rejects.toMatchObject({ code: 'P2003' });
  });

  it.skipIf(dbs.unavailable)('keeps users, sessions, hashed API tokens and quarantined inputs', async () => {
    const user = await prisma.user.create({ data: { username: 'rad1', passwordHash: '$argon2id$v=19$...', role: 'radiologist' } });
    await prisma.session.create({ data: { userId: user.id, tokenHash: 'c'.repeat(64), expiresAt: new Date(Date.now() + 3600_000) } });
    await prisma.apiToken.create({ data: { name: 'pacs', tokenHash: 'd'.repeat(64), role: 'clinician', createdById: user.id } });
    await prisma.quarantinedInput.create({
      data: { source: 'c_store', origin: 'CT_SCANNER_1', storedPath: 'quarantine/x.dcm', sha256: 'e'.repeat(64), errorCode: 'DICOM_NOT_CT', message: 'Modality MR' },
    });
    const found = await prisma.user.findUniqueOrThrow({ where: { username: 'rad1' }, include: { sessions: true, apiTokens: true } });
    expect(found.sessions).toHaveLength(1);
    expect(found.apiTokens[0]?.tokenHash).toBe('d'.repeat(64));
    expect(await prisma.quarantinedInput.count({ where: { errorCode: 'DICOM_NOT_CT' } })).toBe(1);
  });
});
