import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';
import type { Role, UserRole } from './roles';

/** What an admin may change about an account (PATCH /api/auth/users/:id); at least one field. */
export type UserChange = { role?: UserRole | undefined; disabled?: boolean | undefined; unlock?: true | undefined };

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

export type UserChangeResult = { ok: true; user: AdminUserView } | { ok: false; code: 'NOT_FOUND' | 'FORBIDDEN'; message: string };

const VIEW = { id: true, username: true, displayName: true, role: true, mustChangePassword: true, lockedUntil: true, lastLoginAt: true, disabledAt: true, createdAt: true } as const;

/**
 * Role changes, disabling and unlocking of accounts. Two guards keep the system administrable: an
 * admin cannot disable or demote themself, and nobody can disable or demote the last enabled admin.
 * Disabling ends the account's sessions at once; a role change needs no new session (every request
 * reads the role from the account).
 */
export class UserAdmin {
  constructor(
    private readonly prisma: DbClient,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Applies `change` to account `userId` on behalf of `actorUserId` (undefined for a service token). */
  async update(actorUserId: string | undefined, userId: string, change: UserChange): Promise<UserChangeResult> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) return { ok: false, code: 'NOT_FOUND', message: 'no such user' };
    const losesAdmin = user.role === 'admin' && !user.disabledAt && (change.disabled === true || (change.role !== undefined && change.role !== 'admin'));
    if (losesAdmin && actorUserId === user.id) return { ok: false, code: 'FORBIDDEN', message: 'an admin may not disable or demote themself' };
    if (losesAdmin) {
      const otherAdmins = await this.prisma.user.count({ where: { role: 'admin', disabledAt: null, NOT: { id: user.id } } });
      if (otherAdmins === 0) return { ok: false, code: 'FORBIDDEN', message: 'this is the last enabled admin' };
    }
    const now = this.now();
    const data: { role?: UserRole; disabledAt?: Date | null; lockedUntil?: null; failedLoginCount?: number } = {};
    if (change.role !== undefined) data.role = change.role;
    if (change.disabled !== undefined) data.disabledAt = change.disabled ? (user.disabledAt ?? now) : null;
    if (change.unlock) Object.assign(data, { lockedUntil: null, failedLoginCount: 0 });
    const updated = await this.prisma.user.update({ where: { id: user.id }, data, select: VIEW });
    if (change.disabled) await this.prisma.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
    this.log.info({ userId: user.id, byUserId: actorUserId ?? null, role: change.role, disabled: change.disabled, unlock: change.unlock }, 'user changed by an admin');
    return { ok: true, user: updated };
  }
}
