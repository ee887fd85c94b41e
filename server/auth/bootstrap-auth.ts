import { AppError } from '@/lib/errors';
import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';
import { normaliseUsername } from './auth-service';
import type { BootstrapToken } from './parse-api-tokens';
import { hashPassword, passwordProblem } from './password-hasher';
import { newSecret, sha256Hex } from './secrets';

export type BootstrapOptions = {
  prisma: DbClient;
  log: Logger;
  /** ADMIN_USERNAME (default "admin"). */
  adminUsername: string;
  /** ADMIN_PASSWORD, read only while no user exists. */
  adminPassword: string | undefined;
  /** API_TOKENS, parsed. */
  apiTokens: readonly BootstrapToken[];
  /**
   * Prints the one-time password of a generated first admin to a person (stdout, outside the JSON
   * logs, which are shipped and kept). Called at most once per database.
   */
  announce: (text: string) => void;
};

export type BootstrapReport = {
  /** 'env': created from ADMIN_PASSWORD; 'generated': one-time password announced; null: users existed. */
  adminCreated: 'env' | 'generated' | null;
  /** The first admin's username when it was created at this start. */
  adminUsername: string | null;
  tokensCreated: number;
  tokensRevoked: number;
};

/** Prefix of the names of tokens that API_TOKENS manages (created, and revoked when removed). */
export const ENV_TOKEN_PREFIX = 'env:';

/**
 * First start and every start: creates the first admin when there is no user, and brings the
 * API_TOKENS service accounts into the database.
 *
 * The first admin always has mustChangePassword: with ADMIN_PASSWORD it is that password; without
 * it a random one-time password is generated and announced once. There is never a default password,
 * and the one-time password allows nothing but choosing a new one.
 */
export async function bootstrapAuth(opts: BootstrapOptions): Promise<BootstrapReport> {
  const report: BootstrapReport = { adminCreated: null, adminUsername: null, tokensCreated: 0, tokensRevoked: 0 };
  if ((await opts.prisma.user.count()) === 0) {
    const username = normaliseUsername(opts.adminUsername);
    // The same rules as every password a person chooses (length, not the username, variety): the
    // first admin is the account an attacker tries first.
    const problem = opts.adminPassword === undefined ? null : passwordProblem(opts.adminPassword, username);
    if (problem) throw new AppError('CONFIG_INVALID', `ADMIN_PASSWORD: ${problem} (the rules every password follows; see README, Security)`);
    const generated = opts.adminPassword === undefined ? newSecret().slice(0, 24) : undefined;
    const password = opts.adminPassword ?? generated!;
    try {
      await opts.prisma.user.create({
        data: { username, role: 'admin', passwordHash: await hashPassword(password), mustChangePassword: true, displayName: 'Administrator' },
      });
      report.adminCreated = generated ? 'generated' : 'env';
      report.adminUsername = username;
      opts.log.warn(
        { username, source: generated ? 'generated one-time password, printed once on stdout' : 'ADMIN_PASSWORD' },
        'first start: admin account created; a password change is required at first sign-in',
      );
      if (generated) {
        opts.announce(
          `\n  First start: created admin account "${username}" with one-time password: ${generated}\n` +
            '  Sign in at /login and choose a new password. This password is shown only once.\n',
        );
      }
    } catch (err) {
      // Another node created the first user at the same moment: nothing to do.
      if ((await opts.prisma.user.count()) === 0) throw err;
    }
  }

  const wanted = new Map(opts.apiTokens.map((t) => [sha256Hex(t.token), t]));
  const existing = await opts.prisma.apiToken.findMany({ where: { name: { startsWith: ENV_TOKEN_PREFIX }, createdById: null } });
  const known = new Map(existing.map((t) => [t.tokenHash, t]));
  for (const [tokenHash, t] of wanted) {
    // A token already stored keeps its state (one an admin revoked stays revoked); its role follows
    // the environment.
    const stored = known.get(tokenHash);
    if (stored) {
      if (stored.role !== t.role) await opts.prisma.apiToken.update({ where: { id: stored.id }, data: { role: t.role } });
      continue;
    }
    try {
      await opts.prisma.apiToken.create({ data: { name: `${ENV_TOKEN_PREFIX}${t.name}`, role: t.role, tokenHash } });
      report.tokensCreated += 1;
    } catch (err) {
      // Another node starting at the same moment stored it first (issue 15 item 2): theirs stands,
      // with the role the environment gives (both read the same API_TOKENS).
      if (!isUniqueViolation(err)) throw err;
      const theirs = await opts.prisma.apiToken.findUnique({ where: { tokenHash } });
      if (!theirs) throw err;
    }
  }
  const dropped = existing.filter((t) => !wanted.has(t.tokenHash) && !t.revokedAt).map((t) => t.id);
  if (dropped.length > 0) {
    const { count } = await opts.prisma.apiToken.updateMany({ where: { id: { in: dropped } }, data: { revokedAt: new Date() } });
    report.tokensRevoked = count;
  }
  if (report.tokensCreated || report.tokensRevoked) {
    opts.log.info({ created: report.tokensCreated, revoked: report.tokensRevoked }, 'API_TOKENS applied');
  }
  return report;
}

/** Prisma's unique-constraint violation (P2002), whichever database. */
function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
