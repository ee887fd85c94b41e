import { createHash } from 'node:crypto';

/**
 * A UID under the 2.25 root (ITU-T X.667: a 128-bit number in decimal) derived from `key`: the
 * same result event always gets the same SR UIDs, so a retried delivery replaces, never duplicates,
 * what the PACS already holds. Different keys collide with probability 2^-128.
 */
export function resultUid(key: string): string {
  const digest = createHash('sha256').update(`ich-triage-result:${key}`).digest();
  // BigInt's decimal has no leading zero, which a UID component may not have.
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`)}`;
}
