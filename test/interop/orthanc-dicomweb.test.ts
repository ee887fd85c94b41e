import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '@/server/audit';
import type { Principal } from '@/server/auth/principal';
import { DicomwebReader, ReadWindow } from '@/server/dicomweb';
import { registerServices, type ServerServices } from '@/server/http';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { serveOverHttp } from '@/test/dicomweb/dicomweb-routes';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '@/test/support/pipeline-stack';
import { ORTHANC_BIN, ORTHANC_DICOMWEB_PLUGIN, startOrthanc, type PrivateOrthanc } from './orthanc-server';

// A PACS pulling a study from us over DICOMweb: a real Orthanc with Debian's DICOMweb plugin
// searches (QIDO-RS) and retrieves (WADO-RS) through our route handlers behind a plain HTTP server.
if (!ORTHANC_BIN || !ORTHANC_DICOMWEB_PLUGIN) console.warn('skipping the Orthanc DICOMweb test: orthanc and orthanc-dicomweb are not installed (CI installs them)');

const radiologist: Principal = { kind: 'token', tokenId: 't-orthanc', name: 'orthanc', role: 'radiologist' };

describe.skipIf(!ORTHANC_BIN || !ORTHANC_DICOMWEB_PLUGIN)('Orthanc (DICOMweb plugin) reads a study from us', () => {
  let dir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack;
  let ours: { port: number; close: () => Promise<void> };
  let orthanc: PrivateOrthanc | undefined;
  let api: string;
  const orthancLog = () => orthanc?.log() ?? '';
  const study = generatePhantomStudy({ seed: 5150, slices: 4, size: 64 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orthanc-dicomweb-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log: pino({ level: 'silent' }) });
    stack = await createPipelineStack({ dataDir: dir, engine });
    for (const s of study.slices) expect((await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');
    registerServices({
      auth: { authenticate: async (h: Pick<Headers, 'get'>) => (h.get('authorization') === 'Bearer orthanc-token' ? radiologist : null) },
      log: pino({ level: 'silent' }),
      audit: new AuditService({ prisma: stack.db.prisma, provider: stack.db.provider }),
      dicomweb: { reader: new DicomwebReader(stack.db.prisma, stack.files), corsOrigins: [], frameReads: new ReadWindow() },
    } as unknown as ServerServices);
    ours = await serveOverHttp();

    orthanc = await startOrthanc({
      dir,
      aeTitle: 'ICHWEBCLIENT',
      dicomweb: true,
      extra: {
        DicomWeb: {
          Enable: true,
          Root: '/dicom-web/',
          Servers: { ichtriage: { Url: `http://127.0.0.1:${ours.port}/dicomweb/`, HttpHeaders: { Authorization: 'Bearer orthanc-token' } } },
        },
      },
    });
    api = orthanc.api;
  }, 90_000);

  afterAll(async () => {
    await orthanc?.stop();
    registerServices(undefined as unknown as ServerServices);
    await ours?.close();
    await engine?.close();
    await stack?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the study over QIDO-RS through Orthanc', async () => {
    const res = await fetch(`${api}/dicom-web/servers/ichtriage/get`, { method: 'POST', body: JSON.stringify({ Uri: '/studies', Arguments: { StudyInstanceUID: study.studyInstanceUid } }) });
    expect(res.status, orthancLog().slice(-2000)).toBe(200);
    const found = (await res.json()) as Record<string, { Value?: unknown[] }>[];
    expect(found.map((s) => s['0020000D']?.Value?.[0])).toEqual([study.studyInstanceUid]);
  });

  it('retrieves it over WADO-RS into Orthanc, every instance byte for byte', async () => {
    const res = await fetch(`${api}/dicom-web/servers/ichtriage/retrieve`, { method: 'POST', body: JSON.stringify({ Resources: [{ Study: study.studyInstanceUid }] }) });
    expect(res.status, `${await res.clone().text()}\n${orthancLog().slice(-2000)}`).toBe(200);
    const ids = (await (await fetch(`${api}/instances`)).json()) as string[];
    expect(ids).toHaveLength(study.slices.length);
    const got = await Promise.all(ids.map(async (id) => Buffer.from(await (await fetch(`${api}/instances/${id}/file`)).arrayBuffer()).toString('base64')));
    expect(got.sort()).toEqual(study.slices.map((s) => Buffer.from(s.bytes).toString('base64')).sort());
  });
});
