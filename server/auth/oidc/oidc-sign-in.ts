import * as client from 'openid-client';
import { safeNextPath } from '@/lib/safe-next-path';
import type { AuthService } from '@/server/auth/auth-service';
import type { Principal } from '@/server/auth/principal';
import { USERNAME_PATTERN } from './username';
import { cookieIsSecure, isHttpsRequest } from '@/server/auth/session-cookie';
import { sha256Hex } from '@/server/auth/secrets';
import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';
import { provisionExternalUser } from './external-user';
import type { OidcFailure } from './oidc-failures';
import type { OidcSettings } from './oidc-env';
import { roleFromClaim } from './role-map';
import { TransactionCookie } from './transaction-cookie';

export type OidcSignInOptions = OidcSettings & { prisma: DbClient; auth: AuthService; log: Logger; timeoutS?: number };

export type OidcBegin = { ok: true; location: string; setCookie: string } | { ok: false; reason: 'unavailable' };
/** `next`: the checked same-origin path to go on to (after a refusal too, for a password sign-in), '/' when none. */
export type OidcFinish =
  | { ok: true; token: string; principal: Extract<Principal, { kind: 'user' }>; clearCookie: string; next: string }
  | { ok: false; reason: OidcFailure; clearCookie: string; next: string };

export const CALLBACK_PATH = '/api/auth/oidc/callback';
/** After a failed IdP discovery, wait this long before asking again (one sign-in click each). */
const RETRY_DISCOVERY_MS = 15_000;

/**
 * OpenID Connect sign-in with the authorization code flow, PKCE (S256), state and nonce, through
 * openid-client (certified RP). The IdP is discovered at start and again on demand when it was
 * unreachable: a dead IdP logs an error and refuses single sign-on; password sign-in is unaffected.
 * ID token signatures are checked against the IdP's JWKS as well, not only TLS (hospital networks
 * often proxy or intercept TLS).
 */
export class OidcSignIn {
  readonly label: string;
  private readonly cookie: TransactionCookie;
  private configuration: Promise<client.Configuration | null> | undefined;
  private lastFailureAt = 0;

  constructor(private readonly options: OidcSignInOptions) {
    this.label = options.label;
    this.cookie = new TransactionCookie(options.clientSecret);
  }

  /** Discovers the IdP; resolves null (and logs why) when it cannot be reached or answers nonsense. */
  discover(): Promise<client.Configuration | null> {
    if (!this.configuration && Date.now() - this.lastFailureAt < RETRY_DISCOVERY_MS) return Promise.resolve(null);
    this.configuration ??= this.runDiscovery();
    return this.configuration;
  }

  private async runDiscovery(): Promise<client.Configuration | null> {
    const { issuer, clientId, clientSecret } = this.options;
    const execute = [client.enableNonRepudiationChecks];
    if (issuer.protocol === 'http:') execute.push(client.allowInsecureRequests); // localhost only (config)
    try {
      const config = await client.discovery(issuer, clientId, clientSecret, undefined, { execute, timeout: this.options.timeoutS ?? 10 });
      this.options.log.info({ issuer: issuer.href }, 'OIDC issuer discovered; single sign-on available');
      return config;
    } catch (err) {
      this.configuration = undefined;
      this.lastFailureAt = Date.now();
      this.options.log.error({ issuer: issuer.href, error: describe(err) }, 'OIDC issuer unreachable or invalid; single sign-on unavailable (password sign-in still works)');
      return null;
    }
  }

  /**
   * The IdP's authorization URL for a new attempt, and the sealed cookie that remembers it.
   * `origin`: how clients reach us (server/http/request-origin.ts: PUBLIC_URL or the checked Host).
   * `next`: where the person was going; anything but a same-origin path becomes the worklist.
   */
  async begin(request: Request, origin: string, next: string | null = null): Promise<OidcBegin> {
    const config = await this.discover();
    if (!config) return { ok: false, reason: 'unavailable' };
    const codeVerifier = client.randomPKCECodeVerifier();
    const tx = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, next: safeNextPath(next) ?? '/' };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(origin),
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
    });
    return { ok: true, location: url.href, setCookie: this.cookie.set(tx, this.secure(request)) };
  }

  /**
   * Completes a callback: checks state, PKCE, nonce and the ID token (issuer, audience, expiry,
   * signature), maps the role claim, creates or updates the local account, opens a session.
   */
  async finish(request: Request, meta: { origin: string; ip: string | null }): Promise<OidcFinish> {
    const clearCookie = this.cookie.clear(this.secure(request));
    const tx = this.cookie.read(request.headers.get('cookie'));
    // Without a valid attempt cookie there is no trusted `next`: the worklist.
    const next = tx?.next ?? '/';
    const fail = (reason: OidcFailure, why: string, extra: Record<string, unknown> = {}): OidcFinish => {
      this.options.log.warn({ reason, ...extra }, `OIDC sign-in refused: ${why}`);
      return { ok: false, reason, clearCookie, next };
    };
    if (!tx) return fail('refused', 'no valid sign-in attempt cookie (expired, altered or from another browser)');
    const query = new URL(request.url).searchParams;
    if (query.has('error')) return fail('idp_error', 'the IdP answered with an error', { error: query.get('error')?.slice(0, 64) });
    const config = await this.discover();
    if (!config) return { ok: false, reason: 'unavailable', clearCookie, next };

    // The URL the IdP redirected to, as registered (a proxy may have rewritten request.url's host).
    const current = new URL(this.redirectUri(meta.origin));
    current.search = query.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: tx.codeVerifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      return fail('refused', 'the authorization response or ID token did not validate', { error: describe(err) });
    }
    const claims = tokens.claims();
    if (!claims) return fail('refused', 'no ID token');
    // Claims are logged by a hash of the subject only: usernames are often e-mail addresses.
    const subject = sha256Hex(`${claims.iss}\n${claims.sub}`).slice(0, 16);
    let groups = this.roleClaimValue(claims);
    if (groups === undefined && config.serverMetadata().userinfo_endpoint) {
      groups = this.roleClaimValue(await client.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => ({})));
    }
    const role = roleFromClaim(groups, this.options.roleMap);
    if (!role) return fail('no_role', 'none of the user\'s groups is in OIDC_ROLE_MAP', { subject, claims: this.options.roleClaims });

    const result = await provisionExternalUser(this.options.prisma, {
      issuer: claims.iss,
      subject: claims.sub,
      username: pickUsername(claims),
      role,
      displayName: typeof claims.name === 'string' ? claims.name : undefined,
    });
    if (!result.ok) return fail(result.reason, result.reason === 'disabled' ? 'the account is disabled' : 'the username belongs to another account', { subject });
    const session = await this.options.auth.openExternalSession(result.userId, {
      ip: meta.ip ?? undefined,
      userAgent: request.headers.get('user-agent') ?? undefined,
    });
    if (!session) return fail('disabled', 'the account is disabled', { subject });
    this.options.log.info({ userId: result.userId, created: result.created, role }, 'signed in through OIDC');
    return { ok: true, token: session.token, principal: session.principal, clearCookie, next };
  }

  /** The first role claim present; a dotted name walks nested objects (Keycloak's `realm_access.roles`). */
  private roleClaimValue(claims: Record<string, unknown>): unknown {
    for (const name of this.options.roleClaims) {
      const value = name in claims ? claims[name] : name.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), claims);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private redirectUri(origin: string): string {
    return this.options.redirectUri ?? new URL(CALLBACK_PATH, origin).href;
  }

  private secure(request: Request): boolean {
    return cookieIsSecure(this.options.auth.cookieSecure, isHttpsRequest(request.url, request.headers));
  }
}

/** preferred_username when it is a valid username, else the subject (hashed when it is not one). */
function pickUsername(claims: { sub: string; preferred_username?: unknown }): string {
  const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username.trim() : '';
  if (USERNAME_PATTERN.test(preferred)) return preferred;
  return USERNAME_PATTERN.test(claims.sub) ? claims.sub : `oidc-${sha256Hex(claims.sub).slice(0, 24)}`;
}

/** An error's code and message for the log (never its cause, which may carry claims). */
function describe(err: unknown): string {
  if (err instanceof Error) return `${(err as { code?: string }).code ?? err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
