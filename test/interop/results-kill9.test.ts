import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/server/db';
import { DicomFileStore } from '@/server/files';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { generatePhantomStudy } from '@/server/phantoms';
import { DICOM_RESULTS_KIND, dicomResultsPayloadSchema } from '@/server/results';
import { startServerProcess, type ServerProcess } from '@/test/support/server-process';
import { freePort, ORTHANC_BIN, ORTHANC_DICOMWEB_PLUGIN, startOrthanc, type PrivateOrthanc } from './orthanc-server';

// Done-when of issue 13 §1, as real processes: a worker node triages a study while the PACS is down,
// queues its SR, fails to deliver it, and is killed with SIGKILL; the PACS comes up, a new worker
// starts on the same data, and the SR arrives in the study the PACS holds. Nothing in memory survives
// the kill: only the outbox row in the database does.
const READY = Boolean(ORTHANC_BIN && ORTHANC_DICOMWEB_PLUGIN);
if (!READY) console.warn('skipping the results kill -9 test: orthanc and orthanc-dicomweb are not installed (CI installs them)');
const silent = pino({ level: 'silent' });

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!READY)('an SR whose PACS was down survives kill -9 of the worker (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'results-kill9-'));
  let db: Database | undefined;
  let worker: ServerProcess | undefined;
  let orthanc: PrivateOrthanc | undefined;

  afterAll(async () => {
    await worker?.kill9();
    await orthanc?.stop();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is retried after the restart and lands in the study the PACS holds', { timeout: 400_000 }, async () => {
    const dataDir = join(dir, 'data');
    const study = generatePhantomStudy({ seed: 9191, slices: 5, size: 64, hemorrhage: 'intraparenchymal' });
    // The study arrives as a web node would store it: files under DATA_DIR, rows and analysis jobs.
    db = await openDatabase({ dataDir, log: silent });
    const ingest = new IngestService({
      files: new DicomFileStore(join(dataDir, 'dicom')),
      quarantine: new QuarantineStore(join(dataDir, 'quarantine')),
      record: async (received) => void (await recordInstance(db!.prisma, received)),
      log: silent,
    });
    for (const s of study.slices) expect((await ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');

    const pacsPort = await freePort();
    const env = {
      SERVER_ROLE: 'worker',
      WORKER_HTTP_PORT: 'off',
      STUDY_QUIET_PERIOD_S: '1',
      RESULTS_STOW_URL: `http://127.0.0.1:${pacsPort}/dicom-web/studies`,
      OUTBOX_RETRY_BASE_S: '1',
      OUTBOX_RETRY_MAX_S: '2',
    };
    worker = await startServerProcess({ dataDir, env, startTimeoutMs: 180_000 });
    const failedOnce = await until('a failed delivery attempt', 120_000, async () => {
      const m = await db!.prisma.outboxMessage.findFirst({ where: { kind: DICOM_RESULTS_KIND } });
      return m?.lastError && m.state !== 'delivered' ? m : undefined;
    });
    expect(failedOnce.lastError, 'the PACS is down').toMatch(/fetch failed|ECONNREFUSED/);
    await worker.kill9();
    worker = undefined;

    orthanc = await startOrthanc({ dir: join(dir, 'pacs'), aeTitle: 'RESULTSPACS', dicomweb: true, httpPort: pacsPort });
    let orthancStudy = '';
    for (const s of study.slices) {
      const res = await fetch(`${orthanc.api}/instances`, { method: 'POST', body: Buffer.from(s.bytes) });
      orthancStudy = ((await res.json()) as { ParentStudy: string }).ParentStudy;
    }

    worker = await startServerProcess({ dataDir, env, startTimeoutMs: 180_000 });
    const delivered = await until('the SR to be delivered', 120_000, async () => {
      const m = await db!.prisma.outboxMessage.findFirst({ where: { kind: DICOM_RESULTS_KIND } });
      return m?.state === 'delivered' ? m : undefined;
    });
    expect(await db.prisma.outboxMessage.count({ where: { kind: DICOM_RESULTS_KIND } }), 'one decision, one SR').toBe(1);
    const payload = dicomResultsPayloadSchema.parse(delivered.payload);
    const hits = (await (await fetch(`${orthanc.api}/tools/lookup`, { method: 'POST', body: payload.sr.sopInstanceUid })).json()) as { Type: string; ID: string }[];
    const sr = hits.find((h) => h.Type === 'Instance');
    expect(sr, orthanc.log().slice(-1500)).toBeDefined();
    expect(((await (await fetch(`${orthanc.api}/instances/${sr!.ID}/study`)).json()) as { ID: string }).ID).toBe(orthancStudy);
    expect(worker.problems()).toEqual([]);
    await worker.stop();
    worker = undefined;
  });
});
