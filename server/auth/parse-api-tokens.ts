import { AppError } from '@/lib/errors';
import { isRole, type Role } from '@/lib/roles';

/** One bootstrap service-account token from API_TOKENS. */
export type BootstrapToken = { name: string; role: Role; token: string };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** RFC 6750 b64token characters, what an `Authorization: Bearer` header can carry. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{32,256}$/;

/**
 * Parses API_TOKENS: comma-separated `name:role:token` entries, e.g.
 * `pacs:integration:3kq…,monitor:clinician:Zx9…`. Tokens are 32 to 256 characters of A-Z a-z 0-9
 * and `-._~+/=` (e.g. `openssl rand -base64 32`); names are unique. Throws CONFIG_INVALID on any bad entry,
 * naming the entry by position and name, never echoing a token.
 */
export function parseApiTokens(text: string): BootstrapToken[] {
  const out: BootstrapToken[] = [];
  const names = new Set<string>();
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  entries.forEach((entry, i) => {
    const [name = '', role = '', ...rest] = entry.split(':');
    const token = rest.join(':');
    const where = `API_TOKENS entry ${i + 1}${NAME.test(name) ? ` (${name})` : ''}`;
    if (!NAME.test(name)) throw new AppError('CONFIG_INVALID', `${where}: name must be 1-64 of A-Z a-z 0-9 _ . -`);
    if (!isRole(role)) throw new AppError('CONFIG_INVALID', `${where}: unknown role "${role}"`);
    if (!TOKEN.test(token)) throw new AppError('CONFIG_INVALID', `${where}: token must be 32-256 characters of A-Z a-z 0-9 - . _ ~ + / =`);
    if (names.has(name)) throw new AppError('CONFIG_INVALID', `${where}: duplicate name`);
    names.add(name);
    out.push({ name, role, token });
  });
  return out;
}
