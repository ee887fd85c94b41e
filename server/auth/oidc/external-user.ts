import type { DbClient } from '@/server/db';
import { normaliseUsername } from '@/server/auth/auth-service';
import type { UserRole } from '@/lib/roles';
import { newSecret, sha256Hex } from '@/server/auth/secrets';

/** A person the IdP vouched for, with the role their groups map to. */
export type ExternalIdentity = { issuer: string; subject: string; username: string; role: UserRole; displayName?: string | undefined };

export type ProvisionResult =
  | { ok: true; userId: string; created: boolean }
  /** conflict: the username belongs to a password account or another IdP subject; disabled: by an admin. */
  | { ok: false; reason: 'conflict' | 'disabled' };

/**
 * Externally authenticated accounts have no local password. Their passwordHash is not a PHC string
 * (so no password ever verifies against it) but a marker binding the account to one IdP subject:
 * `!external:oidc:<sha256(issuer \n sub)>:<random>`. The binding is what stops an IdP user whose
 * preferred_username happens to be "admin" from taking over the local admin account.
 */
const MARKER = '!external:oidc:';

function bindingPrefix(issuer: string, subject: string): string {
  return `${MARKER}${sha256Hex(`${issuer}\n${subject}`)}:`;
}

/** True when a stored passwordHash marks an account that signs in through the IdP only. */
export function isExternalAccount(passwordHash: string): boolean {
  return passwordHash.startsWith(MARKER);
}

/**
 * Just-in-time account for a verified IdP identity: the account already bound to this subject (its
 * role follows the IdP at every sign-in; its username stays what it was at first sign-in), else a
 * new one under `identity.username`. Never adopts an existing account it is not bound to.
 */
export async function provisionExternalUser(prisma: DbClient, identity: ExternalIdentity): Promise<ProvisionResult> {
  const prefix = bindingPrefix(identity.issuer, identity.subject);
  const bound = await prisma.user.findFirst({ where: { passwordHash: { startsWith: prefix } } });
  if (bound) {
    if (bound.disabledAt) return { ok: false, reason: 'disabled' };
    if (bound.role !== identity.role) await prisma.user.update({ where: { id: bound.id }, data: { role: identity.role } });
    return { ok: true, userId: bound.id, created: false };
  }
  const username = normaliseUsername(identity.username);
  if (await prisma.user.findUnique({ where: { username } })) return { ok: false, reason: 'conflict' };
  try {
    const user = await prisma.user.create({
      data: {
        username,
        role: identity.role,
        displayName: identity.displayName?.slice(0, 128) ?? null,
        passwordHash: `${prefix}${newSecret()}`,
        mustChangePassword: false,
      },
    });
    return { ok: true, userId: user.id, created: true };
  } catch {
    // The same person signing in twice at once: the other request created it.
    const raced = await prisma.user.findFirst({ where: { passwordHash: { startsWith: prefix } } });
    return raced && !raced.disabledAt ? { ok: true, userId: raced.id, created: false } : { ok: false, reason: 'conflict' };
  }
}
