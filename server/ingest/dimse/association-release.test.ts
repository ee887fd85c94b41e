import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CStoreClient } from '@/server/demo';
import { DicomFileStore } from '@/server/files';
import { generatePhantomStudy } from '@/server/phantoms';
import { IngestService } from '../ingest-service';
import { QuarantineStore } from '../quarantine-store';
import { DimseServer } from './dimse-server';

describe('DIMSE association end: the sender says its series are sent', () => {
  let root: string;
  let server: DimseServer;
  const recorded: string[] = [];
  const released: { calling: string; seriesInstanceUids: string[]; recordedBefore: number }[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dimse-release-'));
    const log = pino({ level: 'silent' });
    const ingest = new IngestService({
      files: new DicomFileStore(join(root, 'dicom')),
      quarantine: new QuarantineStore(join(root, 'quarantine')),
      record: async (i) => {
        // A slow database: the mark must still come after every instance is recorded.
        await new Promise((r) => setTimeout(r, 5));
        recorded.push(i.header.sopInstanceUid);
      },
      log,
    });
    server = new DimseServer({
      port: 0,
      aeTitle: 'ICHTRIAGE',
      allowedCallingAeTitles: [],
      ingest,
      log,
      onAssociationReleased: async (r) => {
        released.push({ calling: r.calling, seriesInstanceUids: [...r.seriesInstanceUids].sort(), recordedBefore: recorded.length });
      },
    });
    await server.start();
  });

  afterAll(() => {
    server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('reports each study of an association at its release, after all of its instances are recorded', async () => {
    const a = generatePhantomStudy({ seed: 31, slices: 4, size: 64 });
    const b = generatePhantomStudy({ seed: 32, slices: 3, size: 64 });
    const client = new CStoreClient({ host: '127.0.0.1', port: server.port, callingAeTitle: 'CT01', calledAeTitle: 'ICHTRIAGE' });

    const sent = await client.send([...a.slices, ...b.slices].map((s) => s.bytes));
    await until(() => released.length > 0);

    expect(sent.failed).toBe(0);
    expect(released).toEqual([{ calling: 'CT01', seriesInstanceUids: [a.seriesInstanceUid, b.seriesInstanceUid].sort(), recordedBefore: 7 }]);
  });
});
