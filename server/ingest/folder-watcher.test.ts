import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { generatePhantomStudy } from '@/server/phantoms';
import { DicomFileStore } from '@/server/files';
import { FolderWatcher } from './folder-watcher';
import { IngestService } from './ingest-service';
import { QuarantineStore } from './quarantine-store';
import { recordInstance } from './record-instance';
import { recordQuarantinedInput } from './record-quarantine';

const log = pino({ level: 'silent' });

describe('FolderWatcher (real ingest, SQLite)', () => {
  let root: string;
  let inbox: string;
  let db: Database;
  let ingest: IngestService;
  const study = generatePhantomStudy({ seed: 31, slices: 5, size: 64 });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'watch-'));
    inbox = join(root, 'inbox');
    db = await openDatabase({ dataDir: root, log });
    ingest = new IngestService({
      files: new DicomFileStore(join(root, 'dicom')),
      quarantine: new QuarantineStore(join(root, 'quarantine')),
      record: async (received) => {
        await recordInstance(db.prisma, received);
      },
      recordQuarantine: (entry) => recordQuarantinedInput(db.prisma, entry),
      log,
    });
  });
  afterAll(async () => {
    await db.close();
    rmSync(root, { recursive: true, force: true });
  });

  const remaining = (dir = inbox): string[] =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(inbox.length + 1))
      .sort();

  it('takes files once they stopped changing, quarantines non-DICOM, ignores hidden files, removes only what was acknowledged', async () => {
    mkdirSync(join(inbox, 'CT', 'series1'), { recursive: true });
    const watcher = new FolderWatcher({ dir: inbox, pollIntervalMs: 60_000, ingest: (b, s) => ingest.ingest(b, s), log });
    writeFileSync(join(inbox, 'CT', 'series1', 'IM0001'), study.slices[0]!.bytes);
    writeFileSync(join(inbox, 'CT', 'series1', 'IM0002'), study.slices[1]!.bytes);
    writeFileSync(join(inbox, 'report.pdf'), '%PDF-1.4 not an image');
    writeFileSync(join(inbox, '.IM0003.partial'), study.slices[2]!.bytes.subarray(0, 100));
    const growing = join(inbox, 'IM0004');
    writeFileSync(growing, study.slices[3]!.bytes.subarray(0, 1000));

    // First sight: nothing is taken, the writer may still be at work.
    expect(await watcher.poll()).toEqual({ taken: 0, waiting: 4, failed: 0 });
    expect(await db.prisma.instance.count()).toBe(0);

    // The exporter is still writing IM0004 (size and mtime change); the rest held still.
    await appendFile(growing, study.slices[3]!.bytes.subarray(1000, 2000));
    expect(await watcher.poll()).toEqual({ taken: 3, waiting: 1, failed: 0 });
    expect(remaining()).toEqual(['.IM0003.partial', 'IM0004']);
    const instances = await db.prisma.instance.findMany({ select: { SOPInstanceUID: true } });
    expect(instances.map((i) => i.SOPInstanceUID).sort()).toEqual([study.slices[0]!.sopInstanceUid, study.slices[1]!.sopInstanceUid].sort());
    const quarantined = await db.prisma.quarantinedInput.findMany();
    expect(quarantined).toEqual([expect.objectContaining({ source: 'folder', origin: 'folder:watched-folder', errorCode: 'DICOM_NOT_DICOM' })]);

    // Finished writing: taken on the pass after it stopped changing.
    await appendFile(growing, study.slices[3]!.bytes.subarray(2000));
    expect(await watcher.poll()).toMatchObject({ taken: 0 });
    expect(await watcher.poll()).toMatchObject({ taken: 1 });
    expect(remaining()).toEqual(['.IM0003.partial']);
    expect(await db.prisma.instance.count()).toBe(3);
  });

  it('leaves a file in place when ingest fails, and a re-ingest after a crash is only a duplicate', async () => {
    let broken = true;
    const watcher = new FolderWatcher({
      dir: inbox,
      pollIntervalMs: 60_000,
      ingest: async (b, s) => {
        if (broken) throw new Error('database unavailable');
        return ingest.ingest(b, s);
      },
      log,
    });
    const file = join(inbox, 'IM0005');
    writeFileSync(file, study.slices[4]!.bytes);
    await watcher.poll();
    expect(await watcher.poll()).toEqual({ taken: 0, waiting: 0, failed: 1 });
    expect(existsSync(file)).toBe(true);
    broken = false;
    expect(await watcher.poll()).toMatchObject({ taken: 1, failed: 0 });
    expect(existsSync(file)).toBe(false);

    // A crash after the ingest acknowledged but before the file was removed: it is there again.
    writeFileSync(file, study.slices[4]!.bytes);
    await watcher.poll();
    expect(await watcher.poll()).toMatchObject({ taken: 1 });
    expect(await db.prisma.instance.count()).toBe(4);
    expect(await db.prisma.job.count()).toBe(4);
  });

  it('polls on its own once started, and stops', async () => {
    const watcher = new FolderWatcher({ dir: join(root, 'fresh-inbox'), pollIntervalMs: 50, ingest: (b, s) => ingest.ingest(b, s), log });
    await watcher.start(); // creates the folder
    const other = generatePhantomStudy({ seed: 32, slices: 1, size: 32 }).slices[0]!;
    writeFileSync(join(root, 'fresh-inbox', 'x.dcm'), other.bytes);
    const deadline = Date.now() + 10_000;
    while (existsSync(join(root, 'fresh-inbox', 'x.dcm')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await watcher.stop();
    expect(existsSync(join(root, 'fresh-inbox', 'x.dcm'))).toBe(false);
    expect(await db.prisma.instance.findUnique({ where: { SOPInstanceUID: other.sopInstanceUid } })).not.toBeNull();
  });
});
