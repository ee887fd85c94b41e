import type { DbClient } from '@/server/db';
import { checkpointSignedBy, readCheckpoints, readSigningKey } from './audit-anchor';

/** Where the journal disagrees with its signed checkpoints, or the checkpoints themselves are not genuine. */
export interface AuditAnchorBreak {
  /**
   * truncated: entries a checkpoint names are gone from the end; rewritten: the entry at a
   * checkpoint's seq has another hash (the chain was changed and re-hashed); checkpoint: a line of
   * the checkpoint file is unreadable or not signed by this server's key.
   */
  kind: 'truncated' | 'rewritten' | 'checkpoint';
  seq: number | null;
  message: string;
}

export type AuditAnchorReport =
  /** No signing key at AUDIT_SIGNING_KEY: nothing to check against (a server that never started). */
  | { ok: true; status: 'no-key' }
  /** `unanchored`: entries after the newest checkpoint, which a truncation could remove unseen. */
  | { ok: true; status: 'anchored'; checkpoints: number; newest: { seq: number; at: string } | null; unanchored: number }
  | { ok: false; firstBad: AuditAnchorBreak };

/**
 * Checks an intact chain (`lastSeq`, from verifyAuditChain) against every signed checkpoint: each
 * must be signed by the key at `keyPath` and name an entry that still exists with the same hash.
 */
export async function verifyAuditAnchor(prisma: DbClient, chain: { lastSeq: number }, files: { keyPath: string; file: string }): Promise<AuditAnchorReport> {
  const key = await readSigningKey(files.keyPath);
  if (!key) return { ok: true, status: 'no-key' };
  const { checkpoints, unreadable } = await readCheckpoints(files.file);
  if (unreadable.length > 0) return { ok: false, firstBad: { kind: 'checkpoint', seq: null, message: `line ${unreadable[0]} of ${files.file} is not a checkpoint` } };
  for (const { line, checkpoint } of checkpoints) {
    if (!checkpointSignedBy(checkpoint, key.publicKey)) {
      return { ok: false, firstBad: { kind: 'checkpoint', seq: checkpoint.seq, message: `line ${line} of ${files.file} is not signed by this server's key (forged, or signed by another key)` } };
    }
  }
  const bySeq = [...checkpoints].sort((a, b) => b.checkpoint.seq - a.checkpoint.seq);
  const hashes = new Map<number, string>();
  const seqs = [...new Set(bySeq.map((c) => c.checkpoint.seq))];
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await prisma.auditEvent.findMany({ where: { seq: { in: seqs.slice(i, i + 500) } }, select: { seq: true, hash: true } });
    for (const r of rows) hashes.set(r.seq, r.hash);
  }
  for (const { line, checkpoint: c } of bySeq) {
    const hash = hashes.get(c.seq);
    if (hash === undefined) {
      return { ok: false, firstBad: { kind: 'truncated', seq: chain.lastSeq + 1, message: `entries ${chain.lastSeq + 1}–${c.seq} are gone: the checkpoint of ${c.at} (line ${line}) names entry ${c.seq}, the journal ends at ${chain.lastSeq}` } };
    }
    if (hash !== c.hash) {
      return { ok: false, firstBad: { kind: 'rewritten', seq: c.seq, message: `entry ${c.seq} is not the one signed at ${c.at} (line ${line}): the journal up to it was changed and re-hashed` } };
    }
  }
  const newest = bySeq[0]?.checkpoint;
  return { ok: true, status: 'anchored', checkpoints: checkpoints.length, newest: newest ? { seq: newest.seq, at: newest.at } : null, unanchored: chain.lastSeq - (newest?.seq ?? 0) };
}
