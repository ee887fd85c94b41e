import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { parseDicom } from '@/server/dicom';
import { DicomFileStore } from '@/server/files';
import { recordInstance } from '@/server/ingest/record-instance';
import { generatePhantomStudy } from '@/server/phantoms';
import { RetentionSweep } from './retention-sweep';

const log = pino({ level: 'silent' });
const DAY = 86_400_000;

describe('RetentionSweep', () => {
  let dir: string;
  let db: Database;
  let files: DicomFileStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retention-'));
    db = await openDatabase({ dataDir: dir, log });
    files = new DicomFileStore(join(dir, 'dicom'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stores and records a 2-slice phantom study received `ageMs` ago, in `status`. */
  async function study(seed: number, ageMs: number, status: 'triaged' | 'analysing' | 'reported') {
    const phantom = generatePhantomStudy({ seed, slices: 2, size: 32 });
    for (const s of phantom.slices) {
      const header = parseDicom(s.bytes, { headerOnly: true }).header;
      const stored = await files.store(s.bytes, header);
      await recordInstance(db.prisma, { header, stored, source: { channel: 'test', sender: 'unit' } });
    }
    return db.prisma.study.update({ where: { StudyInstanceUID: phantom.studyInstanceUid }, data: { receivedAt: new Date(Date.now() - ageMs), status } });
  }

  it('deletes the files of studies past the period, keeps their results, and never touches work in progress', async () => {
    const old = await study(1, 8 * DAY, 'reported');
    const oldInFlight = await study(2, 8 * DAY, 'analysing');
    const recent = await study(3, 1 * DAY, 'triaged');
    const purged: string[] = [];
    const sweep = new RetentionSweep({ prisma: db.prisma, files, retentionMs: 7 * DAY, intervalMs: 60_000, log, onPurged: async (s) => void purged.push(s.id) });

    const first = await sweep.sweepOnce();
    expect(first.studies).toBe(1);
    expect(first.bytes).toBeGreaterThan(2 * 32 * 32 * 2);
    expect(purged).toEqual([old.id]);
    expect(existsSync(join(files.root, old.StudyInstanceUID))).toBe(false);
    expect(existsSync(join(files.root, oldInFlight.StudyInstanceUID))).toBe(true);
    expect(existsSync(join(files.root, recent.StudyInstanceUID))).toBe(true);
    const kept = await db.prisma.study.findUniqueOrThrow({ where: { id: old.id }, include: { instances: true } });
    expect(kept.filesPurgedAt).not.toBeNull();
    expect(kept.instances).toHaveLength(2); // rows, scores and history stay

    // A second pass finds nothing new; a purge interrupted before its mark is simply redone.
    expect((await sweep.sweepOnce()).studies).toBe(0);
    await db.prisma.study.update({ where: { id: old.id }, data: { filesPurgedAt: null } });
    expect(await sweep.sweepOnce()).toEqual({ studies: 1, bytes: 0 });
  });
});
