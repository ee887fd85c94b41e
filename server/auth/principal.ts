import type { Role } from '@/lib/roles';

/** Who made a request: a signed-in person (cookie session) or a service account (bearer token). */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      username: string;
      role: Role;
      sessionId: string;
      /** A one-time or reset password: only the password change (and logout) is allowed. */
      mustChangePassword: boolean;
    }
  | { kind: 'token'; tokenId: string; name: string; role: Role };

/** What `/api/auth/me` answers: nothing secret, no ids beyond what the client needs. */
export type PrincipalView = { kind: Principal['kind']; name: string; role: Role; mustChangePassword: boolean };

/** The public view of a principal. */
export function viewPrincipal(p: Principal): PrincipalView {
  return p.kind === 'user'
    ? { kind: 'user', name: p.username, role: p.role, mustChangePassword: p.mustChangePassword }
    : { kind: 'token', name: p.name, role: p.role, mustChangePassword: false };
}
