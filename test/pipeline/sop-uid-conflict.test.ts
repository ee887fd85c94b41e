import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { DicomFileStore } from '@/server/files';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { recordQuarantinedInput } from '@/server/ingest/record-quarantine';
import { generatePhantomStudy } from '@/server/phantoms';
import { allTestDatabases } from '../support/test-databases';

const log = pino({ level: 'silent' });

/** The same file with some attributes rewritten by dcmjs (tag → value), as a misbehaving sender would send it. */
function rewritten(bytes: Uint8Array, values: Record<string, string>, pixels?: (p: Uint8Array) => void): Uint8Array {
  const file = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  for (const [tag, value] of Object.entries(values)) file.dict[tag] = { ...file.dict[tag]!, Value: [value] };
  if (pixels) pixels(new Uint8Array(file.dict['7FE00010']!.Value![0] as ArrayBuffer));
  return new Uint8Array(file.write({ allowInvalidVRLength: true }));
}

/**
 * Issue 14 §4.5: a sender reusing a SOP Instance UID must not move a slice to another study (seen:
 * 28 → 27 slices, no re-analysis). Through the real ingest path (IngestService → file store →
 * recordInstance → quarantine rows), on both databases.
 */
describe.each(allTestDatabases())('a re-sent SOP Instance UID on $provider', (dbs) => {
  let db: Database;
  let ingest: IngestService;
  let files: DicomFileStore;
  let dataDir: string;
  const phantom = generatePhantomStudy({ seed: 41, slices: 4, size: 64, hemorrhage: null });
  const other = generatePhantomStudy({ seed: 42, slices: 1, size: 64, hemorrhage: null });
  const first = phantom.slices[0]!;
  const src = { channel: 'dimse', sender: 'SCANNER1' };

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const target = await dbs.fresh();
    dataDir = target.databaseUrl ? mkdtempSync(join(tmpdir(), 'sop-conflict-')) : target.dataDir;
    db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir, log });
    files = new DicomFileStore(join(dataDir, 'dicom'));
    ingest = new IngestService({
      files,
      quarantine: new QuarantineStore(join(dataDir, 'quarantine')),
      record: (i) => recordInstance(db.prisma, i).then(() => undefined),
      recordQuarantine: (entry) => recordQuarantinedInput(db.prisma, entry),
      log,
    });
    for (const s of phantom.slices) expect((await ingest.ingest(s.bytes, src)).status).toBe('stored');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The slice as recorded: its study, its file's bytes, and the study's slice count. */
  async function state() {
    const instance = await db.prisma.instance.findUniqueOrThrow({ where: { SOPInstanceUID: first.sopInstanceUid }, include: { study: true } });
    const count = await db.prisma.instance.count({ where: { study: { StudyInstanceUID: phantom.studyInstanceUid } } });
    return { study: instance.study.StudyInstanceUID, sha256: instance.sha256, file: readFileSync(join(files.root, instance.storedPath)), count, studies: await db.prisma.study.count() };
  }

  it.skipIf(dbs.unavailable)('an identical re-send stays a harmless duplicate', async () => {
    const before = await state();
    expect(await ingest.ingest(first.bytes, src)).toMatchObject({ status: 'duplicate' });
    expect(await state()).toEqual(before);
    expect(await db.prisma.quarantinedInput.count()).toBe(0);
  });

  it.skipIf(dbs.unavailable)('the same UID under another study and patient is quarantined with DICOM_SOP_UID_CONFLICT, and the slice stays where it was', async () => {
    const before = await state();
    const moved = rewritten(first.bytes, { '0020000D': other.studyInstanceUid, '0020000E': other.seriesInstanceUid, '00100020': other.patientId });
    const outcome = await ingest.ingest(moved, src);
    expect(outcome).toMatchObject({ status: 'quarantined', error: { code: 'DICOM_SOP_UID_CONFLICT', message: expect.stringMatching(/another study/) } });
    expect(await state()).toEqual(before); // still 4 slices in the first study, no new study row
    const row = await db.prisma.quarantinedInput.findFirstOrThrow({ where: { errorCode: 'DICOM_SOP_UID_CONFLICT' }, orderBy: { receivedAt: 'desc' } });
    expect(row).toMatchObject({ source: 'c_store', origin: 'dimse:SCANNER1' });
    // The copy written under the other study's folder before the database refused it is gone.
    expect(existsSync(join(files.root, other.studyInstanceUid, other.seriesInstanceUid, `${first.sopInstanceUid}.dcm`))).toBe(false);
  });

  it.skipIf(dbs.unavailable)('the same UID in another series of the same study is quarantined', async () => {
    const before = await state();
    const outcome = await ingest.ingest(rewritten(first.bytes, { '0020000E': other.seriesInstanceUid }), src);
    expect(outcome).toMatchObject({ status: 'quarantined', error: { code: 'DICOM_SOP_UID_CONFLICT', message: expect.stringMatching(/another series/) } });
    expect(await state()).toEqual(before);
  });

  it.skipIf(dbs.unavailable)('the same UID with another PatientID, or other pixels, is quarantined before it can overwrite the stored file', async () => {
    const before = await state();
    const otherPatient = await ingest.ingest(rewritten(first.bytes, { '00100020': 'SOMEONE-ELSE' }), src);
    expect(otherPatient).toMatchObject({ status: 'quarantined', error: { code: 'DICOM_SOP_UID_CONFLICT', message: expect.stringMatching(/another patient/) } });
    const otherPixels = await ingest.ingest(
      rewritten(first.bytes, {}, (p) => {
        p[100] = p[100]! ^ 0xff;
      }),
      src,
    );
    expect(otherPixels).toMatchObject({ status: 'quarantined', error: { code: 'DICOM_SOP_UID_CONFLICT', message: expect.stringMatching(/other pixel data/) } });
    expect(await state()).toEqual(before);
    expect(await db.prisma.quarantinedInput.count({ where: { errorCode: 'DICOM_SOP_UID_CONFLICT' } })).toBe(4);
  });

  it.skipIf(dbs.unavailable)('a re-send that only changes other attributes (same pixels, study, series, patient) is stored and re-analysed', async () => {
    const before = await state();
    const corrected = rewritten(first.bytes, { '0008103E': 'AXIAL 5MM BRAIN (CORRECTED)' });
    expect(await ingest.ingest(corrected, src)).toMatchObject({ status: 'stored' });
    const after = await state();
    expect(after).toMatchObject({ study: before.study, count: before.count, studies: before.studies });
    expect(after.sha256).not.toBe(before.sha256);
    expect(await db.prisma.job.count({ where: { uniqueKey: { endsWith: after.sha256 } } })).toBe(1);
  });
});
