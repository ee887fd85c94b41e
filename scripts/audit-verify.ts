/**
 * npm run audit:verify
 *
 * Walks the audit journal of the configured database (DATABASE_URL, or the SQLite file under
 * DATA_DIR, opened as server/main.ts opens it) and checks its hash chain and the free text its
 * entries vouch for, then the chain against the signed checkpoints in DATA_DIR (AUDIT_SIGNING_KEY's
 * key), which catch a cut tail or a re-hashed chain. Prints one JSON line. Exit status: 0 when all
 * holds, 1 naming the first changed, removed, reordered, cut or rewritten entry (or a forged
 * checkpoint), 2 when the database could not be read.
 */
import { isAppError } from '@/lib/errors';
import { verifyAuditAnchor, verifyAuditChain } from '@/server/audit';
import { loadConfig } from '@/server/config';
import { openDatabase, type DbLog } from '@/server/db';

/** Migration warnings go to stderr as JSON lines; stdout carries only the summary. */
const log: DbLog = {
  info: () => {},
  warn: (obj, msg) => void process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...obj })}\n`),
};

/** Prints the first break (seq, kind, message) and returns exit status 1. */
function fail(bad: { seq: number | null; kind: string; message: string; entriesVerified: number; database: string }, started: number): number {
  const { seq, ...rest } = bad;
  process.stdout.write(`${JSON.stringify({ ok: false, firstBadSeq: seq, ...rest, ms: Math.round(performance.now() - started) })}\n`);
  return 1;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  try {
    const started = performance.now();
    const report = await verifyAuditChain(db.prisma);
    const base = { database: db.provider };
    if (!report.ok) return fail({ ...report.firstBad, entriesVerified: report.entries, ...base }, started);
    const anchor = await verifyAuditAnchor(db.prisma, report, { keyPath: config.audit.signingKeyPath, file: config.audit.checkpointFile });
    if (!anchor.ok) return fail({ ...anchor.firstBad, entriesVerified: report.entries, ...base }, started);
    const { ok: _ok, ...anchored } = anchor;
    const ms = Math.round(performance.now() - started);
    process.stdout.write(`${JSON.stringify({ ok: true, entries: report.entries, lastSeq: report.lastSeq, lastHash: report.lastHash, anchor: anchored, ...base, ms })}\n`);
    return 0;
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
