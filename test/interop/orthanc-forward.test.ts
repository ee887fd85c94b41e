import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { decodeCtSlice } from '@/server/dicom';
import { DicomFileStore } from '@/server/files';
import { DimseServer } from '@/server/ingest/dimse/dimse-server';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { generatePhantomStudy } from '@/server/phantoms';
import { ORTHANC_BIN, startOrthanc, type PrivateOrthanc } from './orthanc-server';

// A hospital PACS forwarding a study to us: a real Orthanc (Debian's package) C-STOREs a phantom
// study into our DIMSE listener, and every instance must land on disk and in the database.
if (!ORTHANC_BIN) console.warn('skipping the Orthanc forwarding test: Orthanc is not installed (apt-get install orthanc; CI installs it)');

const OUR_AE = 'ICHTRIAGE';
const ORTHANC_AE = 'HOSPITALPACS';
const SLICES = 12;
const log = pino({ level: 'silent' });

describe.skipIf(!ORTHANC_BIN)('Orthanc forwards a study to our DICOM listener', () => {
  let dir: string;
  let db: Database;
  let dimse: DimseServer;
  let orthanc: PrivateOrthanc | undefined;
  let api: string;
  const orthancLog = () => orthanc?.log() ?? '';
  const study = generatePhantomStudy({ seed: 4242, slices: SLICES, size: 128, hemorrhage: 'subdural' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthanc-forward-'));
    db = await openDatabase({ dataDir: dir, log });
    const ingest = new IngestService({
      files: new DicomFileStore(join(dir, 'dicom')),
      quarantine: new QuarantineStore(join(dir, 'quarantine')),
      record: async (received) => {
        await recordInstance(db.prisma, received);
      },
      log,
    });
    // Only Orthanc's AE may send: the forwarding also proves the calling-AE allow-list lets it in.
    dimse = new DimseServer({ port: 0, aeTitle: OUR_AE, allowedCallingAeTitles: [ORTHANC_AE], ingest, log });
    const dicomPort = await dimse.start();

    orthanc = await startOrthanc({ dir, aeTitle: ORTHANC_AE, extra: { DicomModalities: { ichtriage: [OUR_AE, '127.0.0.1', dicomPort] } } });
    api = orthanc.api;
  }, 60_000);

  afterAll(async () => {
    await orthanc?.stop();
    dimse?.stop();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every forwarded SOP instance durably, recorded and queued for analysis', async () => {
    let orthancStudyId: string | undefined;
    for (const slice of study.slices) {
      const res = await fetch(`${api}/instances`, { method: 'POST', body: Buffer.from(slice.bytes), headers: { 'content-type': 'application/dicom' } });
      expect(res.status, await res.clone().text()).toBe(200);
      const body = (await res.json()) as { ParentStudy: string; Status: string };
      expect(body.Status).toBe('Success');
      orthancStudyId = body.ParentStudy;
    }
    expect(orthancStudyId).toBeDefined();

    // What a PACS operator does with "send to": a C-STORE of the whole study to the modality.
    const sent = await fetch(`${api}/modalities/ichtriage/store`, {
      method: 'POST',
      body: JSON.stringify({ Resources: [orthancStudyId], Synchronous: true }),
    });
    expect(sent.status, `${await sent.clone().text()}\n${orthancLog().slice(-2000)}`).toBe(200);
    expect(await sent.json()).toMatchObject({ FailedInstancesCount: 0, InstancesCount: SLICES });

    const instances = await db.prisma.instance.findMany({ select: { SOPInstanceUID: true, storedPath: true, sha256: true } });
    expect(instances.map((i) => i.SOPInstanceUID).sort()).toEqual(study.slices.map((s) => s.sopInstanceUid).sort());
    const row = await db.prisma.study.findUniqueOrThrow({ where: { StudyInstanceUID: study.studyInstanceUid }, select: { id: true } });
    expect(await db.prisma.job.count({ where: { kind: 'analyse-instance' } })).toBe(SLICES);
    expect(await db.prisma.series.findMany({ where: { studyId: row.id }, select: { instanceCount: true } })).toEqual([{ instanceCount: SLICES }]);

    // On disk: the recorded bytes, and the same image Orthanc was given (our listener rebuilds
    // the Part 10 header, so the pixels are compared, not the whole file).
    const bySop = new Map(study.slices.map((s) => [s.sopInstanceUid, s.bytes]));
    for (const instance of instances) {
      const stored = readFileSync(join(dir, 'dicom', instance.storedPath));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(instance.sha256);
      const [received, original] = await Promise.all([decodeCtSlice(stored), decodeCtSlice(bySop.get(instance.SOPInstanceUID)!)]);
      expect(received.header.studyInstanceUid).toBe(study.studyInstanceUid);
      expect(Buffer.from(received.hu.hu.buffer).equals(Buffer.from(original.hu.hu.buffer))).toBe(true);
    }
    expect(await db.prisma.quarantinedInput.count()).toBe(0);
  }, 60_000);
});
