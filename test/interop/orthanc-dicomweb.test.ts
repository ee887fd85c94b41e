import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

// A PACS pulling a study from us over DICOMweb: a real Orthanc with Debian's DICOMweb plugin
// searches (QIDO-RS) and retrieves (WADO-RS) through our route handlers behind a plain HTTP server.
const ORTHANC = ['/usr/sbin/Orthanc', 'Orthanc'].find((bin) => spawnSync(bin, ['--version']).status === 0);
const PLUGIN = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/plugins/libOrthancDicomWeb.so'].find((p) => existsSync(p));
if (!ORTHANC || !PLUGIN) console.warn('skipping the Orthanc DICOMweb test: orthanc and orthanc-dicomweb are not installed (CI installs them)');

const radiologist: Principal = { kind: 'token', tokenId: 't-orthanc', name: 'orthanc', role: 'radiologist' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!ORTHANC || !PLUGIN)('Orthanc (DICOMweb plugin) reads a study from us', () => {
  let dir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack;
  let ours: { port: number; close: () => Promise<void> };
  let orthanc: ChildProcess | undefined;
  let api: string;
  let orthancLog = '';
  const study = generatePhantomStudy({ seed: 5150, slices: 4, size: 64 });
  const killOrthanc = () => {
    if (orthanc && orthanc.exitCode === null && orthanc.signalCode === null) orthanc.kill('SIGKILL');
  };

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

    const [httpPort, dicomPort] = [await freePort(), await freePort()];
    const config = {
      Name: 'ich-triage-test-dicomweb-client',
      StorageDirectory: join(dir, 'orthanc-storage'),
      IndexDirectory: join(dir, 'orthanc-index'),
      HttpPort: httpPort,
      DicomPort: dicomPort,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      Plugins: [PLUGIN],
      SaveJobs: false,
      DicomWeb: {
        Enable: true,
        Servers: { ichtriage: { Url: `http://127.0.0.1:${ours.port}/dicomweb/`, HttpHeaders: { Authorization: 'Bearer orthanc-token' } } },
      },
    };
    writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
    orthanc = spawn(ORTHANC!, [join(dir, 'orthanc.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    orthanc.stdout?.on('data', (d: Buffer) => (orthancLog += d.toString()));
    orthanc.stderr?.on('data', (d: Buffer) => (orthancLog += d.toString()));
    process.once('exit', killOrthanc);
    api = `http://127.0.0.1:${httpPort}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (orthanc.exitCode !== null) throw new Error(`Orthanc exited at start-up:\n${orthancLog.slice(-2000)}`);
      if (await fetch(`${api}/system`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`Orthanc's REST API did not come up in 30 s:\n${orthancLog.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);

  afterAll(async () => {
    if (orthanc && orthanc.exitCode === null && orthanc.signalCode === null) {
      const exited = new Promise((resolve) => orthanc!.once('exit', resolve));
      orthanc.kill('SIGTERM');
      const timer = setTimeout(killOrthanc, 5000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOrthanc);
    registerServices(undefined as unknown as ServerServices);
    await ours?.close();
    await engine?.close();
    await stack?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the study over QIDO-RS through Orthanc', async () => {
    const res = await fetch(`${api}/dicom-web/servers/ichtriage/get`, { method: 'POST', body: JSON.stringify({ Uri: '/studies', Arguments: { StudyInstanceUID: study.studyInstanceUid } }) });
    expect(res.status, orthancLog.slice(-2000)).toBe(200);
    const found = (await res.json()) as Record<string, { Value?: unknown[] }>[];
    expect(found.map((s) => s['0020000D']?.Value?.[0])).toEqual([study.studyInstanceUid]);
  });

  it('retrieves it over WADO-RS into Orthanc, every instance byte for byte', async () => {
    const res = await fetch(`${api}/dicom-web/servers/ichtriage/retrieve`, { method: 'POST', body: JSON.stringify({ Resources: [{ Study: study.studyInstanceUid }] }) });
    expect(res.status, `${await res.clone().text()}\n${orthancLog.slice(-2000)}`).toBe(200);
    const ids = (await (await fetch(`${api}/instances`)).json()) as string[];
    expect(ids).toHaveLength(study.slices.length);
    const got = await Promise.all(ids.map(async (id) => Buffer.from(await (await fetch(`${api}/instances/${id}/file`)).arrayBuffer()).toString('base64')));
    expect(got.sort()).toEqual(study.slices.map((s) => Buffer.from(s.bytes).toString('base64')).sort());
  });
});
