import type { AuditActor, AuditEventInput, AuditLog } from '@/server/audit/audit-log';
import type { DbClient, Prisma } from '@/server/db';
import type { Logger } from '@/server/logging';
import { normaliseUsername } from './auth-service';
import { isExternalAccount } from './oidc/external-user';
import { hashPassword } from './password-hasher';
import type { Role, UserRole } from '@/lib/roles';
import { newSecret, sha256Hex } from './secrets';
import type { SessionEndings } from './session-endings';

/** What an admin may change about an account (PATCH /api/auth/users/:id); at least one field. */
export type UserChange = { role?: UserRole | undefined; disabled?: boolean | undefined; unlock?: true | undefined };

/** Who asks, for the journal: the admin (or a service token, userId null) and the client address. */
export type AdminActor = AuditActor & { ip: string | null };

/** An account as the admin pages show it: no password hash. */
export type AdminUserView = {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  mustChangePassword: boolean;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
};

type Refusal = { ok: false; code: 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION_FAILED'; message: string };
export type UserChangeResult = { ok: true; user: AdminUserView } | Refusal;
export type PasswordResetResult = { ok: true; user: AdminUserView; oneTimePassword: string } | Refusal;
export type CreatedUser = { id: string; username: string; oneTimePassword: string };

const VIEW = { id: true, username: true, displayName: true, role: true, mustChangePassword: true, lockedUntil: true, lastLoginAt: true, disabledAt: true, createdAt: true } as const;

/** A one-time password: 24 characters of a random secret (about 143 bits), shown once. */
const oneTimePassword = () => newSecret().slice(0, 24);

/**
 * Everything an admin does to accounts and service tokens, each in one transaction with its audit
 * entry (the change and the record of it commit together or not at all). Two guards keep the
 * system administrable: an admin cannot disable or demote themself, and nobody can disable or
 * demote the last enabled admin. Disabling and a password reset end the account's sessions at
 * once; a role change needs no new session (every request reads the role from the account).
 * Journal details hold ids, roles and names of accounts and tokens, never a secret.
 */
export class UserAdmin {
  constructor(
    private readonly prisma: DbClient,
    private readonly log: Logger,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
    /** Where ended sessions and changed accounts are announced, so their open sockets close at once. */
    private readonly endings?: SessionEndings,
  ) {}

  /** Applies `change` to account `userId` on behalf of `actor`; one journal entry per kind of change. */
  async update(actor: AdminActor, userId: string, change: UserChange): Promise<UserChangeResult> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) return { ok: false, code: 'NOT_FOUND', message: 'no such user' };
    const losesAdmin = user.role === 'admin' && !user.disabledAt && (change.disabled === true || (change.role !== undefined && change.role !== 'admin'));
    if (losesAdmin && actor.userId === user.id) return { ok: false, code: 'FORBIDDEN', message: 'an admin may not disable or demote themself' };
    if (losesAdmin) {
      const otherAdmins = await this.prisma.user.count({ where: { role: 'admin', disabledAt: null, NOT: { id: user.id } } });
      if (otherAdmins === 0) return { ok: false, code: 'FORBIDDEN', message: 'this is the last enabled admin' };
    }
    const now = this.now();
    const data: { role?: UserRole; disabledAt?: Date | null; lockedUntil?: null; failedLoginCount?: number } = {};
    const events: Pick<AuditEventInput, 'action' | 'details'>[] = [];
    if (change.role !== undefined) {
      data.role = change.role;
      if (change.role !== user.role) events.push({ action: 'user.role_changed', details: { from: user.role, to: change.role } });
    }
    if (change.disabled !== undefined) {
      data.disabledAt = change.disabled ? (user.disabledAt ?? now) : null;
      if (change.disabled && !user.disabledAt) events.push({ action: 'user.disabled' });
      if (!change.disabled && user.disabledAt) events.push({ action: 'user.enabled' });
    }
    if (change.unlock) {
      Object.assign(data, { lockedUntil: null, failedLoginCount: 0 });
      events.push({ action: 'user.unlocked', details: { wasLocked: !!user.lockedUntil && user.lockedUntil > now } });
    }
    const updated = await this.audit.transaction(async (tx) => {
      const row = await tx.user.update({ where: { id: user.id }, data, select: VIEW });
      if (change.disabled) await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
      // The per-address locks too (server/auth/login-throttle.ts), or the owner stays locked where they failed.
      if (change.unlock) await tx.loginThrottle.deleteMany({ where: { userId: user.id } });
      for (const e of events) await this.record(tx, actor, e.action, user, e.details ?? {}, now);
      return row;
    });
    // Disabled: its sessions ended. Role changed: its sockets sit in rooms of the old role; they
    // are cut and the dashboard reconnects into the new role's rooms.
    if ((change.disabled && !user.disabledAt) || (change.role !== undefined && change.role !== user.role)) this.endings?.ended({ userId: user.id });
    this.log.info({ userId: user.id, byUserId: actor.userId, role: change.role, disabled: change.disabled, unlock: change.unlock }, 'user changed by an admin');
    return { ok: true, user: updated };
  }

  /**
   * Creates a person's account with a random one-time password (returned once), which must be
   * changed at first sign-in. VALIDATION_FAILED when the username is taken.
   */
  async createUser(actor: AdminActor, input: { username: string; role: UserRole; displayName?: string | undefined }): Promise<{ ok: true; user: CreatedUser } | Refusal> {
    const username = normaliseUsername(input.username);
    const taken = { ok: false, code: 'VALIDATION_FAILED', message: 'that username is taken' } as const;
    if (await this.prisma.user.findUnique({ where: { username } })) return taken;
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    const now = this.now();
    try {
      const user = await this.audit.transaction(async (tx) => {
        const row = await tx.user.create({ data: { username, role: input.role, displayName: input.displayName ?? null, passwordHash, mustChangePassword: true } });
        await this.record(tx, actor, 'user.created', row, { role: row.role }, now);
        return row;
      });
      this.log.info({ userId: user.id, role: input.role, byUserId: actor.userId }, 'user created');
      return { ok: true, user: { id: user.id, username, oneTimePassword: password } };
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return taken; // created concurrently under the same name
      throw err;
    }
  }

  /**
   * Gives account `userId` a new one-time password (returned once): it must be changed at the next
   * sign-in, the account is unlocked, and every open session of it ends. Refused for the admin's own
   * account (they change it at /account/password, knowing the current one) and for single-sign-on
   * accounts, which have no local password.
   */
  async resetPassword(actor: AdminActor, userId: string): Promise<PasswordResetResult> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) return { ok: false, code: 'NOT_FOUND', message: 'no such user' };
    if (actor.userId === user.id) return { ok: false, code: 'FORBIDDEN', message: 'change your own password at /account/password' };
    if (isExternalAccount(user.passwordHash)) return { ok: false, code: 'FORBIDDEN', message: 'this account signs in through single sign-on and has no password here' };
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    const now = this.now();
    const updated = await this.audit.transaction(async (tx) => {
      const row = await tx.user.update({
        where: { id: user.id },
        data: { passwordHash, mustChangePassword: true, failedLoginCount: 0, lockedUntil: null },
        select: VIEW,
      });
      const { count } = await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
      await tx.loginThrottle.deleteMany({ where: { userId: user.id } });
      await this.record(tx, actor, 'user.password_reset', user, { sessionsEnded: count }, now);
      return row;
    });
    this.endings?.ended({ userId: user.id });
    this.log.info({ userId: user.id, byUserId: actor.userId }, 'password reset by an admin');
    return { ok: true, user: updated, oneTimePassword: password };
  }

  /** Creates a service-account token; the token is returned once and only its hash is stored. */
  async createToken(actor: AdminActor, input: { name: string; role: Role; expiresAt?: Date | undefined }): Promise<{ id: string; token: string }> {
    const token = newSecret();
    const now = this.now();
    const row = await this.audit.transaction(async (tx) => {
      const created = await tx.apiToken.create({
        data: { name: input.name, role: input.role, tokenHash: sha256Hex(token), createdById: actor.userId, expiresAt: input.expiresAt ?? null },
      });
      const details = { name: created.name, role: created.role, expiresAt: created.expiresAt?.toISOString() ?? null };
      await this.audit.append({ actor, ip: actor.ip, action: 'token.created', target: { type: 'token', id: created.id }, details, at: now }, tx);
      return created;
    });
    this.log.info({ tokenId: row.id, role: row.role, byUserId: actor.userId }, 'service token created');
    return { id: row.id, token };
  }

  /** Revokes a service-account token at once; idempotent (a second revoke records nothing). NOT_FOUND when unknown. */
  async revokeToken(actor: AdminActor, id: string): Promise<{ ok: true; revoked: boolean } | Refusal> {
    const row = await this.prisma.apiToken.findUnique({ where: { id }, select: { id: true, name: true, role: true } });
    if (!row) return { ok: false, code: 'NOT_FOUND', message: 'no such token' };
    const now = this.now();
    const revoked = await this.audit.transaction(async (tx) => {
      const { count } = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
      if (count === 1) await this.audit.append({ actor, ip: actor.ip, action: 'token.revoked', target: { type: 'token', id }, details: { name: row.name, role: row.role }, at: now }, tx);
      return count === 1;
    });
    if (revoked) this.log.info({ tokenId: id, byUserId: actor.userId }, 'service token revoked');
    return { ok: true, revoked };
  }

  private record(tx: Prisma.TransactionClient, actor: AdminActor, action: AuditEventInput['action'], user: { id: string; username: string }, details: NonNullable<AuditEventInput['details']>, at: Date) {
    return this.audit.append({ actor, ip: actor.ip, action, target: { type: 'user', id: user.id }, details: { username: user.username, ...details }, at }, tx);
  }
}
