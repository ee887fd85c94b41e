import { z } from 'zod';
import { parseRoleMap, type RoleMap } from './role-map';

/** OIDC settings, validated from OIDC_* at start-up; undefined config.oidc means single sign-on is off. */
export type OidcSettings = {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Unset: `<origin of the request>/api/auth/oidc/callback`. */
  redirectUri: string | undefined;
  /** Claims read for group names, the first present wins (default `groups`, then `roles`). */
  roleClaims: readonly string[];
  roleMap: RoleMap;
  /** The login button says "Sign in with <label>". */
  label: string;
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** The OIDC_* variables, merged into the server's environment schema (server/config). */
export const OIDC_ENV = {
  /** The IdP's issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. Unset: SSO off. */
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).max(256).optional(),
  /** Also keys the sealed sign-in attempt cookie, so every node of a deployment must share it. */
  OIDC_CLIENT_SECRET: z.string().min(16, 'at least 16 characters').max(1024).optional(),
  OIDC_REDIRECT_URI: httpUrl.optional(),
  /** The claim holding group (or role) names; unset: `groups`, else `roles`. */
  OIDC_ROLE_CLAIM: z.string().trim().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'a claim name').optional(),
  /** `group:role,…` with role clinician, radiologist or admin. */
  OIDC_ROLE_MAP: z.string().max(8192).default(''),
  OIDC_LABEL: z.string().trim().min(1).max(64).default('Hospital sign-in'),
};

type OidcEnv = z.output<z.ZodObject<typeof OIDC_ENV>>;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The OIDC settings, or the problems (`VARIABLE: what is wrong`) that stop the server. */
export function readOidcSettings(e: OidcEnv): { settings: OidcSettings | undefined; problems: string[] } {
  const problems: string[] = [];
  if (!e.OIDC_ISSUER) {
    const stray = (['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI', 'OIDC_ROLE_CLAIM'] as const).filter((k) => e[k] !== undefined);
    if (e.OIDC_ROLE_MAP.trim()) stray.push('OIDC_ROLE_MAP' as never);
    if (stray.length > 0) problems.push(`OIDC_ISSUER: required when ${stray.join(', ')} is set`);
    return { settings: undefined, problems };
  }
  const issuer = new URL(e.OIDC_ISSUER);
  // Tokens over plain http can be read and altered on the way: only an IdP on this machine (tests, dev).
  if (issuer.protocol === 'http:' && !LOCAL_HOSTS.has(issuer.hostname)) problems.push('OIDC_ISSUER: must be https (http only for localhost)');
  if (issuer.search || issuer.hash) problems.push('OIDC_ISSUER: no query or fragment');
  if (!e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required with OIDC_ISSUER');
  if (!e.OIDC_CLIENT_SECRET) problems.push('OIDC_CLIENT_SECRET: required with OIDC_ISSUER');
  let roleMap: RoleMap | undefined;
  try {
    roleMap = parseRoleMap(e.OIDC_ROLE_MAP);
  } catch (err) {
    problems.push(`OIDC_ROLE_MAP: ${(err as Error).message} (expected group:role,… with role clinician, radiologist or admin)`);
  }
  if (problems.length > 0 || !roleMap || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return { settings: undefined, problems };
  return {
    settings: {
      issuer,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      redirectUri: e.OIDC_REDIRECT_URI,
      roleClaims: e.OIDC_ROLE_CLAIM ? [e.OIDC_ROLE_CLAIM] : ['groups', 'roles'],
      roleMap,
      label: e.OIDC_LABEL,
    },
    problems,
  };
}
