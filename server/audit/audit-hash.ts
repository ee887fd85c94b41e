import { createHash } from 'node:crypto';

/** The prevHash of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything an entry's hash covers: every stored column but the hash itself. */
export interface HashedAuditFields {
  seq: number;
  at: Date;
  actorUserId: string | null;
  actorUsername: string | null;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** Canonical JSON text, hashed exactly as stored. */
  details: string;
  prevHash: string;
}

/**
 * SHA-256 (hex) over a fixed-order JSON array of the entry's fields. An array of strings, numbers
 * and nulls has exactly one JSON text, so the serialisation is canonical without a custom format;
 * the leading tag versions it should the covered fields ever change.
 */
export function hashAuditEvent(f: HashedAuditFields): string {
  const text = JSON.stringify([
    'ich-audit-v1',
    f.seq,
    f.at.toISOString(),
    f.actorUserId,
    f.actorUsername,
    f.ip,
    f.action,
    f.targetType,
    f.targetId,
    f.details,
    f.prevHash,
  ]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 (hex) of free text kept outside the journal (comments, reasons), so the journal vouches for it. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
