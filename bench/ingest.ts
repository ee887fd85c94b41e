/**
 * Ingest-to-queued: how fast slices sent over C-STORE become durable (file fsync'd, row and
 * analysis job committed — both happen before the C-STORE response) on the embedded database.
 * In-process listener + the demo's C-STORE client over loopback; 512x512 phantom slices, one
 * association per study. Usage: tsx bench/ingest.ts [--studies 5] [--slices 40]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase } from '@/server/db';
import { CStoreClient } from '@/server/demo';
import { DicomFileStore } from '@/server/files';
import { DimseServer } from '@/server/ingest/dimse/dimse-server';
import { IngestService } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';
import { recordInstance } from '@/server/ingest/record-instance';
import { generatePhantomStudy } from '@/server/phantoms';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STUDIES = flag('studies', 5);
const SLICES = flag('slices', 40);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const log = pino({ level: 'silent' });
  const db = await openDatabase({ dataDir, log });
  // Per-slice cost of the durable path: from the moment its bytes are handed to ingest to the
  // moment its row and job are committed (what the C-STORE response waits for).
  const perSlice: number[] = [];
  const ingest = new IngestService({
    files: new DicomFileStore(join(dataDir, 'dicom')),
    quarantine: new QuarantineStore(join(dataDir, 'quarantine')),
    record: (i) => recordInstance(db.prisma, i).then(() => undefined),
    log,
  });
  const timed = { ingest: (bytes: Uint8Array, source: Parameters<IngestService['ingest']>[1]) => {
    const t0 = performance.now();
    return ingest.ingest(bytes, source).finally(() => perSlice.push(performance.now() - t0));
  } } as unknown as IngestService;
  const server = new DimseServer({ port: 0, aeTitle: 'ICHTRIAGE', allowedCallingAeTitles: [], ingest: timed, log });
  const port = await server.start();
  const client = new CStoreClient({ host: '127.0.0.1', port, callingAeTitle: 'BENCH', calledAeTitle: 'ICHTRIAGE' });
  const studies = Array.from({ length: STUDIES }, (_, i) => generatePhantomStudy({ seed: 7000 + i, slices: SLICES, size: 512 }));
  const sendMs: number[] = [];
  for (const s of studies) {
    const r = await client.send(s.slices.map((x) => x.bytes));
    if (r.failed > 0) throw new Error(`${r.failed} slices failed`);
    sendMs.push(r.ms);
  }
  const queued = await db.prisma.job.count({ where: { status: 'pending' } });
  server.stop();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  const total = STUDIES * SLICES;
  const seconds = sendMs.reduce((a, b) => a + b, 0) / 1000;
  console.log(`\n${STUDIES} studies x ${SLICES} slices (512x512, ~0.5 MB each) over C-STORE on loopback, SQLite; ${queued}/${total} jobs queued`);
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| Measure | p50 | p95 | max |');
  console.log('|---|---:|---:|---:|');
  console.log(`| Durable ingest per slice (parse header, fsync file, commit row + job), ms | ${pct(perSlice, 50).toFixed(1)} | ${pct(perSlice, 95).toFixed(1)} | ${Math.max(...perSlice).toFixed(1)} |`);
  console.log(`| Whole ${SLICES}-slice study over one association, s | ${(pct(sendMs, 50) / 1000).toFixed(2)} | ${(pct(sendMs, 95) / 1000).toFixed(2)} | ${(Math.max(...sendMs) / 1000).toFixed(2)} |`);
  console.log(`\nThroughput: ${(total / seconds).toFixed(0)} slices/s stored and queued`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
