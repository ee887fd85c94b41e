import type { DbClient } from '@/server/db';
import { GENESIS_HASH, hashAuditEvent } from './audit-hash';
import { checkAuditTexts } from './verify-audit-texts';

/** The first place the journal is not what its writer left. */
export interface AuditChainBreak {
  /**
   * changed: an entry's content or hash was altered; removed: an entry is missing; reordered: an
   * entry sits at another's place; text: free text an entry vouches for (a feedback comment, a
   * reason) was changed, added or deleted.
   */
  kind: 'changed' | 'removed' | 'reordered' | 'text';
  seq: number;
  message: string;
}

export type AuditChainReport =
  | { ok: true; entries: number; lastSeq: number; lastHash: string }
  | { ok: false; entries: number; firstBad: AuditChainBreak };

/**
 * Walks the journal in seq order and checks every link: seqs run 1, 2, 3 … without a gap, each
 * entry's hash is the hash of its own fields, each prevHash is the hash of the entry before, and
 * the free text an entry vouches for by hash still matches. Reports the first break, named by seq.
 * Removing entries from the end, or rewriting and re-hashing the whole chain, leaves a valid
 * chain: the signed checkpoints outside the database catch that (audit-anchor.ts).
 */
export async function verifyAuditChain(prisma: DbClient, options: { pageSize?: number } = {}): Promise<AuditChainReport> {
  const pageSize = options.pageSize ?? 1000;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: pageSize });
    const textBreaks = await checkAuditTexts(prisma, rows);
    for (const row of rows) {
      const bad = (await checkEntry(prisma, row, expectedSeq, prevHash)) ?? textBreaks.get(row.seq);
      if (bad) return { ok: false, entries, firstBad: bad };
      entries++;
      expectedSeq = row.seq + 1;
      prevHash = row.hash;
    }
    if (rows.length < pageSize) return { ok: true, entries, lastSeq: expectedSeq - 1, lastHash: prevHash };
  }
}

type Row = Parameters<typeof hashAuditEvent>[0] & { hash: string };

async function checkEntry(prisma: DbClient, row: Row, expectedSeq: number, prevHash: string): Promise<AuditChainBreak | null> {
  const seq = row.seq;
  if (seq !== expectedSeq) {
    const missing = seq - expectedSeq === 1 ? `entry ${expectedSeq} is` : `entries ${expectedSeq}–${seq - 1} are`;
    return { kind: 'removed', seq: expectedSeq, message: `${missing} missing (the next entry is ${seq})` };
  }
  const selfValid = hashAuditEvent(row) === row.hash;
  if (row.prevHash !== prevHash) {
    // The entry this one was written after sits elsewhere: entries were moved.
    const predecessor = await prisma.auditEvent.findUnique({ where: { hash: row.prevHash }, select: { seq: true } });
    if (predecessor && predecessor.seq !== seq - 1) {
      return { kind: 'reordered', seq, message: `entry ${seq} was written after the entry now at ${predecessor.seq}: entries were reordered` };
    }
    if (!selfValid) return { kind: 'changed', seq, message: `entry ${seq} does not match its hash` };
    return seq === 1
      ? { kind: 'changed', seq, message: 'entry 1 does not start the chain (its prevHash is not the genesis hash)' }
      : { kind: 'changed', seq: seq - 1, message: `entry ${seq - 1} is not the entry ${seq} was written after (it was changed and re-hashed, or replaced)` };
  }
  if (!selfValid) return { kind: 'changed', seq, message: `entry ${seq} does not match its hash` };
  return null;
}
