import { USER_ROLES, type UserRole } from '@/lib/roles';

/** IdP group (or role) name → our role, from OIDC_ROLE_MAP. */
export type RoleMap = ReadonlyMap<string, UserRole>;

/** Most privileged last: a person in several mapped groups gets the highest role among them. */
const RANK: Record<UserRole, number> = { clinician: 0, radiologist: 1, admin: 2 };

/**
 * Parses `group:role,group:role` (OIDC_ROLE_MAP). The group is everything before the last colon,
 * so group names that are URLs or contain colons (`urn:…:ich-admins:admin`) still work.
 * Throws with the bad entry named; the config loader turns that into CONFIG_INVALID.
 */
export function parseRoleMap(text: string): RoleMap {
  const map = new Map<string, UserRole>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const colon = entry.lastIndexOf(':');
    const group = entry.slice(0, Math.max(colon, 0)).trim();
    const role = entry.slice(colon + 1).trim();
    if (colon <= 0 || !group) throw new Error(`"${entry}" is not group:role`);
    if (!(USER_ROLES as readonly string[]).includes(role)) throw new Error(`"${entry}": role must be one of ${USER_ROLES.join(', ')}`);
    if (map.has(group) && map.get(group) !== role) throw new Error(`group "${group}" is mapped twice`);
    map.set(group, role as UserRole);
  }
  if (map.size === 0) throw new Error('maps no group to a role');
  return map;
}

/**
 * The role a claim value grants: the highest role of any mapped group in it, or null when none is
 * mapped. A claim may be one string, a list of strings, or (some IdPs) a space-separated string.
 */
export function roleFromClaim(value: unknown, map: RoleMap): UserRole | null {
  const names = typeof value === 'string' ? [value, ...value.split(/\s+/)] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  let best: UserRole | null = null;
  for (const name of names) {
    const role = map.get(name);
    if (role && (best === null || RANK[role] > RANK[best])) best = role;
  }
  return best;
}
