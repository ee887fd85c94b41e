import { isIP } from 'node:net';
import type { DbClient } from '@/server/db';

export type LoginThrottleOptions = {
  prisma: DbClient;
  /** Sign-in attempts one client address may make per window (any accounts). */
  limit?: number;
  windowMs?: number;
  now?: () => Date;
};

/**
 * Sign-in counters kept in the database (table LoginThrottle), so they hold across web nodes and
 * restarts: attempts per client address in a fixed window (password spraying), and failures per
 * account+address with a lock of that pair only (guessing one account), so a stranger who fails
 * on purpose locks themself out, not the account's owner. The slower per-account back-off is on
 * the User row (auth-service.ts). Rows outlive their window only until the next prune.
 */
export class LoginThrottle {
  private readonly prisma: DbClient;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => Date;

  constructor(options: LoginThrottleOptions) {
    this.prisma = options.prisma;
    this.limit = options.limit ?? 20;
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Records an attempt from `address`; false when it is over its limit (refuse it unchecked). */
  async hitAddress(address: string | undefined): Promise<boolean> {
    const count = await this.count(`ip:${addressKey(address)}`, null, this.windowMs);
    if (Math.random() < 0.01) await this.prune();
    return count <= this.limit;
  }

  /** True while the account is locked for this address after repeated failures from it. */
  async pairLocked(userId: string, address: string | undefined): Promise<boolean> {
    const row = await this.prisma.loginThrottle.findUnique({ where: { key: pairKey(userId, address) } });
    return !!row?.lockedUntil && row.lockedUntil > this.now();
  }

  /**
   * Counts a failed password for this account from this address; at `maxFailures` within `lockMs`
   * the pair is locked for `lockMs`. True when this failure locked it.
   */
  async failPair(userId: string, address: string | undefined, lockout: { maxFailures: number; lockMs: number }): Promise<boolean> {
    const key = pairKey(userId, address);
    const count = await this.count(key, userId, lockout.lockMs);
    if (count < lockout.maxFailures) return false;
    await this.prisma.loginThrottle.update({ where: { key }, data: { count: 0, windowStart: this.now(), lockedUntil: new Date(this.now().getTime() + lockout.lockMs) } });
    return true;
  }

  /** Forgets this account's failures from this address (after a successful sign-in). */
  async resetPair(userId: string, address: string | undefined): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { key: pairKey(userId, address) } });
  }

  /** Drops rows whose window has passed and that hold no lock. */
  async prune(): Promise<void> {
    const now = this.now();
    const cutoff = new Date(now.getTime() - Math.max(this.windowMs, 24 * 3_600_000));
    await this.prisma.loginThrottle.deleteMany({ where: { windowStart: { lt: cutoff }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] } });
  }

  /** Adds one to `key`'s count in a fixed window of `windowMs` (a new window restarts at 1); the count. */
  private async count(key: string, userId: string | null, windowMs: number): Promise<number> {
    const now = this.now();
    const row = await upsertIncrement(this.prisma, key, userId, now);
    if (row.windowStart.getTime() > now.getTime() - windowMs) return row.count;
    // The window has passed: start a new one (a concurrent node doing the same only resets it twice).
    await this.prisma.loginThrottle.updateMany({ where: { key, windowStart: row.windowStart }, data: { count: 1, windowStart: now } });
    return 1;
  }
}

async function upsertIncrement(prisma: DbClient, key: string, userId: string | null, now: Date) {
  const args = { where: { key }, create: { key, userId, count: 1, windowStart: now }, update: { count: { increment: 1 } } };
  try {
    return await prisma.loginThrottle.upsert(args);
  } catch {
    // Two nodes creating the same row at once: the loser's insert fails; the row now exists.
    return prisma.loginThrottle.upsert(args);
  }
}

/**
 * The address as a throttle key: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix, or
 * rotating addresses would give unlimited tries), unknown as `unknown`.
 */
export function addressKey(address: string | undefined): string {
  if (!address || isIP(address) === 0) return 'unknown';
  if (isIP(address) === 4) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function pairKey(userId: string, address: string | undefined): string {
  return `pair:${userId}|${addressKey(address)}`;
}
