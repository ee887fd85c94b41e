import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';
import { LoginThrottle } from './login-throttle';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './password-hasher';
import type { Principal } from './principal';
import { can, type Role, type UserRole } from '@/lib/roles';
import { isSameOrigin } from './origin-check';
import { newSecret, safeEqual, sha256Hex } from './secrets';
import { readSessionToken, type CookieSecureMode } from './session-cookie';
import { SessionEndings } from './session-endings';

export type AuthServiceOptions = {
  prisma: DbClient;
  log: Logger;
  /** Idle lifetime of a session: each use moves its expiry to now + this. */
  sessionTtlMs: number;
  /** Hard cap on a session's life from sign-in, however active (default 7 days, at least the TTL). */
  sessionMaxAgeMs?: number;
  /** Failed passwords from one address that lock the account for that address, and for how long (default 5 → 15 min). */
  lockout?: { maxFailures: number; lockMs: number };
  /**
   * The slower per-account back-off: failures from any addresses that lock the account for every
   * address that has never signed in to it (default 4 × lockout.maxFailures → lockout.lockMs).
   */
  accountLockout?: { maxFailures: number; lockMs: number };
  /** COOKIE_SECURE: whether the session cookie carries Secure (see session-cookie.ts). */
  cookieSecure?: CookieSecureMode;
  /**
   * A failed sign-in answers no sooner than this after it began (default 300 ms), so the extra
   * database writes for a real account (failure count, lock) do not tell which usernames exist.
   */
  failureFloorMs?: number;
  /** The database-backed throttle (per address, per account+address); made from `prisma` when absent. */
  throttle?: LoginThrottle;
  /** Where ended sessions are announced (the realtime hub listens); one is made when absent. */
  endings?: SessionEndings;
  now?: () => Date;
};

export type LoginInput = { username: string; password: string; ip?: string | undefined; userAgent?: string | undefined };
export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; principal: Extract<Principal, { kind: 'user' }> }
  | { ok: false; code: 'UNAUTHENTICATED' | 'RATE_LIMITED'; message: string };
export type PasswordChangeResult = { ok: true } | { ok: false; code: 'UNAUTHENTICATED' | 'VALIDATION_FAILED'; message: string };

/** Header access shared by fetch `Headers` and Node's IncomingHttpHeaders (via a small adapter). */
export type HeaderReader = Pick<Headers, 'get'>;

/** One message for every failed login: it must not tell whether the user exists or is locked. */
export const LOGIN_FAILED = 'invalid username or password';
/** lastSeenAt/expiresAt are rewritten at most this often per session (not on every request). */
const TOUCH_EVERY_MS = 60_000;

/** Usernames are compared case-insensitively: stored and looked up lower-cased and trimmed. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * Sign-in, sessions, bearer tokens and password changes, on the database. Sessions and tokens are
 * random 32-byte secrets of which only the SHA-256 is stored, so a database leak yields no usable
 * credential; lookups go by that hash (a timing difference in the index lookup reveals nothing
 * about a secret the attacker does not already hold).
 */
export class AuthService {
  private readonly prisma: DbClient;
  private readonly log: Logger;
  private readonly throttle: LoginThrottle;
  private readonly lockout: { maxFailures: number; lockMs: number };
  private readonly accountLockout: { maxFailures: number; lockMs: number };
  private readonly maxAgeMs: number;
  private readonly now: () => Date;
  private dummyHash: Promise<string> | undefined;
  /** Sign-outs and password changes are announced here, so open sockets of those sessions close at once. */
  readonly endings: SessionEndings;

  constructor(private readonly options: AuthServiceOptions) {
    this.endings = options.endings ?? new SessionEndings();
    this.prisma = options.prisma;
    this.log = options.log;
    this.lockout = options.lockout ?? { maxFailures: 5, lockMs: 15 * 60_000 };
    this.accountLockout = options.accountLockout ?? { maxFailures: this.lockout.maxFailures * 4, lockMs: this.lockout.lockMs };
    this.maxAgeMs = Math.max(options.sessionTtlMs, options.sessionMaxAgeMs ?? 7 * 24 * 3_600_000);
    this.now = options.now ?? (() => new Date());
    this.throttle = options.throttle ?? new LoginThrottle({ prisma: options.prisma, now: this.now });
  }

  /** Idle lifetime of a session (the cookie's Max-Age). */
  get sessionTtlMs(): number {
    return this.options.sessionTtlMs;
  }

  /** Longest life of a session from sign-in (the cookie's Max-Age; the server enforces the idle TTL). */
  get sessionMaxAgeMs(): number {
    return this.maxAgeMs;
  }

  /** COOKIE_SECURE mode for the session cookie. */
  get cookieSecure(): CookieSecureMode {
    return this.options.cookieSecure ?? 'auto';
  }

  /** Checks a username and password; on success opens a session and returns its token (once). */
  async login(input: LoginInput): Promise<LoginResult> {
    const started = performance.now();
    const result = await this.checkLogin(input);
    if (!result.ok && result.code === 'UNAUTHENTICATED') {
      const wait = started + (this.options.failureFloorMs ?? 300) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return result;
  }

  private async checkLogin(input: LoginInput): Promise<LoginResult> {
    const fail = { ok: false, code: 'UNAUTHENTICATED', message: LOGIN_FAILED } as const;
    if (!(await this.throttle.hitAddress(input.ip))) {
      return { ok: false, code: 'RATE_LIMITED', message: 'too many sign-in attempts; try again later' };
    }
    const username = normaliseUsername(input.username);
    const user = username ? await this.prisma.user.findUnique({ where: { username } }) : null;
    if (!user || user.disabledAt) {
      // Spend the same time as a real check, so response times do not reveal which users exist.
      await verifyPassword(await this.getDummyHash(), input.password);
      return fail;
    }
    const now = this.now();
    // Locks never stop the owner at an address they signed in from before (a Session row with that
    // address): the per-account lock holds against new addresses only, the pair lock against this one.
    const accountLocked = !!user.lockedUntil && user.lockedUntil > now && !(await this.knownAddress(user.id, input.ip));
    const locked = accountLocked || (await this.throttle.pairLocked(user.id, input.ip));
    const matches = await verifyPassword(user.passwordHash, input.password);
    if (locked) {
      this.log.warn({ userId: user.id, scope: accountLocked ? 'account' : 'address' }, 'sign-in refused: locked');
      return fail;
    }
    if (!matches) {
      if (await this.throttle.failPair(user.id, input.ip, this.lockout)) {
        this.log.warn({ userId: user.id, lockMs: this.lockout.lockMs }, 'account locked for one address after repeated failed sign-ins');
      }
      const updated = await this.prisma.user.update({ where: { id: user.id }, data: { failedLoginCount: { increment: 1 } } });
      if (updated.failedLoginCount >= this.accountLockout.maxFailures) {
        await this.prisma.user.update({
          where: { id: user.id },
          data: { failedLoginCount: 0, lockedUntil: new Date(now.getTime() + this.accountLockout.lockMs) },
        });
        this.log.warn({ userId: user.id, lockMs: this.accountLockout.lockMs }, 'account locked for new addresses after repeated failed sign-ins');
      }
      return fail;
    }
    await this.throttle.resetPair(user.id, input.ip);
    const data: { failedLoginCount: number; lockedUntil: null; lastLoginAt: Date; passwordHash?: string } = {
      failedLoginCount: 0,
      lockedUntil: null,
      lastLoginAt: now,
    };
    if (needsRehash(user.passwordHash)) data.passwordHash = await hashPassword(input.password);
    await this.prisma.user.update({ where: { id: user.id }, data });
    const { token, session } = await this.openSession(user.id, input.ip, input.userAgent);
    this.log.info({ userId: user.id, sessionId: session.id }, 'signed in');
    return {
      ok: true,
      token,
      expiresAt: session.expiresAt,
      principal: {
        kind: 'user',
        userId: user.id,
        username: user.username,
        role: user.role,
        sessionId: session.id,
        mustChangePassword: user.mustChangePassword,
      },
    };
  }

  /** The signed-in user of a session token, sliding its expiry; null when unknown, expired or revoked. */
  async authenticateSession(token: string | undefined): Promise<Extract<Principal, { kind: 'user' }> | null> {
    if (!token || token.length > 128) return null;
    const tokenHash = sha256Hex(token);
    const session = await this.prisma.session.findUnique({ where: { tokenHash }, include: { user: true } });
    const now = this.now();
    if (!session || !safeEqual(session.tokenHash, tokenHash)) return null;
    if (session.revokedAt || session.expiresAt <= now || session.user.disabledAt) return null;
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      const expiresAt = new Date(Math.min(now.getTime() + this.options.sessionTtlMs, session.createdAt.getTime() + this.maxAgeMs));
      await this.prisma.session.update({ where: { id: session.id }, data: { lastSeenAt: now, expiresAt } });
    }
    const { user } = session;
    return { kind: 'user', userId: user.id, username: user.username, role: user.role, sessionId: session.id, mustChangePassword: user.mustChangePassword };
  }

  /** The service account of a bearer token; null when unknown, expired or revoked. */
  async authenticateBearer(token: string | undefined): Promise<Extract<Principal, { kind: 'token' }> | null> {
    if (!token || token.length > 256) return null;
    const tokenHash = sha256Hex(token);
    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash } });
    const now = this.now();
    if (!row || !safeEqual(row.tokenHash, tokenHash)) return null;
    if (row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      await this.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    }
    return { kind: 'token', tokenId: row.id, name: row.name, role: row.role };
  }

  /**
   * Who sent a request: `Authorization: Bearer` when present (and then only that: a bad token is
   * not rescued by a cookie), otherwise the session cookie.
   */
  async authenticate(headers: HeaderReader): Promise<Principal | null> {
    const authorization = headers.get('authorization');
    if (authorization !== null) {
      const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(authorization);
      return this.authenticateBearer(match?.[1]);
    }
    return this.authenticateSession(readSessionToken(headers.get('cookie')));
  }

  /**
   * The Socket.IO handshake check: a valid session cookie of a user who may read the worklist and
   * has no pending password change, and, when the browser sent an Origin, our own origin
   * (cross-site WebSocket hijacking).
   */
  async authenticateSocket(headers: HeaderReader): Promise<Principal | null> {
    if (headers.get('origin') !== null && !isSameOrigin(headers)) return null;
    const principal = await this.authenticateSession(readSessionToken(headers.get('cookie')));
    if (!principal || principal.mustChangePassword || !can(principal.role, 'readWorklist')) return null;
    return principal;
  }

  /** Ends a session (logout) and its open sockets; unknown tokens are ignored. */
  async logout(token: string | undefined): Promise<void> {
    if (!token || token.length > 128) return;
    const session = await this.prisma.session.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { id: true, revokedAt: true } });
    if (!session || session.revokedAt) return;
    await this.prisma.session.updateMany({ where: { id: session.id, revokedAt: null }, data: { revokedAt: this.now() } });
    this.endings.ended({ sessionIds: [session.id] });
  }

  /**
   * Of the given sessions, those that still stand as they were opened: not revoked or expired, the
   * account enabled, its role unchanged and no password change pending. The realtime hub asks this
   * periodically for its sockets, which catches idle expiry and any change whose announcement it missed.
   */
  async liveSessions(sessions: readonly { sessionId: string; role: string }[]): Promise<Set<string>> {
    if (sessions.length === 0) return new Set();
    const rows = await this.prisma.session.findMany({
      where: { id: { in: sessions.map((s) => s.sessionId) }, revokedAt: null, expiresAt: { gt: this.now() } },
      select: { id: true, user: { select: { role: true, disabledAt: true, mustChangePassword: true } } },
    });
    const roleOf = new Map(sessions.map((s) => [s.sessionId, s.role]));
    return new Set(rows.filter((r) => !r.user.disabledAt && !r.user.mustChangePassword && r.user.role === roleOf.get(r.id)).map((r) => r.id));
  }

  /**
   * Changes a user's password after checking the current one; clears mustChangePassword and ends
   * every other session of that user.
   */
  async changePassword(userId: string, sessionId: string, current: string, next: string): Promise<PasswordChangeResult> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user || user.disabledAt || !(await verifyPassword(user.passwordHash, current))) {
      return { ok: false, code: 'UNAUTHENTICATED', message: 'the current password is wrong' };
    }
    const problem = passwordProblem(next, user.username) ?? (current === next ? 'the new password must differ from the current one' : null);
    if (problem) return { ok: false, code: 'VALIDATION_FAILED', message: problem };
    const passwordHash = await hashPassword(next);
    await this.prisma.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false, failedLoginCount: 0, lockedUntil: null } });
    await this.prisma.session.updateMany({ where: { userId, revokedAt: null, NOT: { id: sessionId } }, data: { revokedAt: this.now() } });
    this.endings.ended({ userId, exceptSessionId: sessionId });
    this.log.info({ userId }, 'password changed');
    return { ok: true };
  }

  /** Creates a service-account token; the token is returned once and only its hash is stored. */
  async createApiToken(input: { name: string; role: Role; createdById?: string; expiresAt?: Date }): Promise<{ id: string; token: string }> {
    const token = newSecret();
    const row = await this.prisma.apiToken.create({
      data: { name: input.name, role: input.role, tokenHash: sha256Hex(token), createdById: input.createdById ?? null, expiresAt: input.expiresAt ?? null },
    });
    return { id: row.id, token };
  }

  /**
   * Creates a person's account with a random one-time password (returned once), which must be
   * changed at first sign-in. Null when the username is taken.
   */
  async createUser(input: { username: string; role: UserRole; displayName?: string | undefined }): Promise<{ id: string; username: string; oneTimePassword: string } | null> {
    const username = normaliseUsername(input.username);
    const oneTimePassword = newSecret().slice(0, 24);
    const passwordHash = await hashPassword(oneTimePassword);
    if (await this.prisma.user.findUnique({ where: { username } })) return null;
    try {
      const user = await this.prisma.user.create({ data: { username, role: input.role, displayName: input.displayName ?? null, passwordHash, mustChangePassword: true } });
      this.log.info({ userId: user.id, role: input.role }, 'user created');
      return { id: user.id, username, oneTimePassword };
    } catch {
      return null; // created concurrently under the same name
    }
  }

  /** Every account, without password hashes. */
  listUsers() {
    return this.prisma.user.findMany({
      orderBy: { username: 'asc' },
      select: { id: true, username: true, displayName: true, role: true, mustChangePassword: true, lockedUntil: true, lastLoginAt: true, disabledAt: true, createdAt: true },
    });
  }

  /** Every service-account token, without hashes. */
  listApiTokens() {
    return this.prisma.apiToken.findMany({
      orderBy: { createdAt: 'asc' },
      select: { id: true, name: true, role: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true },
    });
  }

  /** Revokes a service-account token at once. */
  async revokeApiToken(id: string): Promise<void> {
    await this.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: this.now() } });
  }

  /**
   * Opens a session for a user whose identity another system verified (OIDC single sign-on); no
   * password is checked here. Null when the account is unknown or disabled.
   */
  async openExternalSession(userId: string, meta: { ip?: string | undefined; userAgent?: string | undefined } = {}): Promise<Extract<LoginResult, { ok: true }> | null> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user || user.disabledAt) return null;
    await this.prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: this.now() } });
    const { token, session } = await this.openSession(user.id, meta.ip, meta.userAgent);
    this.log.info({ userId: user.id, sessionId: session.id, external: true }, 'signed in');
    const principal = { kind: 'user', userId: user.id, username: user.username, role: user.role, sessionId: session.id, mustChangePassword: user.mustChangePassword } as const;
    return { ok: true, token, expiresAt: session.expiresAt, principal };
  }

  /** True when this account has signed in from this address before (any session, ended or not). */
  private async knownAddress(userId: string, ip: string | undefined): Promise<boolean> {
    if (!ip) return false;
    return (await this.prisma.session.count({ where: { userId, ip: ip.slice(0, 64) } })) > 0;
  }

  private async openSession(userId: string, ip: string | undefined, userAgent: string | undefined) {
    const token = newSecret();
    const now = this.now();
    const session = await this.prisma.session.create({
      data: {
        tokenHash: sha256Hex(token),
        userId,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.options.sessionTtlMs),
        ip: ip?.slice(0, 64) ?? null,
        userAgent: userAgent?.slice(0, 256) ?? null,
      },
    });
    return { token, session };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPassword(newSecret());
    return this.dummyHash;
  }
}
