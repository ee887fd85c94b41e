/**
 * npm run audit:verify
 *
 * Walks the audit journal of the configured database (DATABASE_URL, or the SQLite file under
 * DATA_DIR, opened as server/main.ts opens it) and checks its hash chain. Prints one JSON line.
 * Exit status: 0 when the chain is intact, 1 naming the first changed, removed or reordered entry,
 * 2 when the database could not be read.
 */
import { isAppError } from '@/lib/errors';
import { verifyAuditChain } from '@/server/audit';
import { loadConfig } from '@/server/config';
import { openDatabase, type DbLog } from '@/server/db';

/** Migration warnings go to stderr as JSON lines; stdout carries only the summary. */
const log: DbLog = {
  info: () => {},
  warn: (obj, msg) => void process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...obj })}\n`),
};

async function main(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  try {
    const started = performance.now();
    const report = await verifyAuditChain(db.prisma);
    const ms = Math.round(performance.now() - started);
    if (report.ok) {
      process.stdout.write(`${JSON.stringify({ ok: true, entries: report.entries, lastSeq: report.lastSeq, lastHash: report.lastHash, database: db.provider, ms })}\n`);
      return 0;
    }
    process.stdout.write(`${JSON.stringify({ ok: false, firstBadSeq: report.firstBad.seq, kind: report.firstBad.kind, message: report.firstBad.message, entriesVerified: report.entries, database: db.provider, ms })}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const error = isAppError(err) ? err.toJSON() : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
    process.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
    process.exit(2);
  },
);
