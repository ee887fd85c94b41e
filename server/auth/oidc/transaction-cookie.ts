import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { safeNextPath } from '@/lib/safe-next-path';
import { readCookie } from '@/server/auth/session-cookie';

/**
 * What the browser carries from /api/auth/oidc/start to the callback: the state, the nonce and the
 * PKCE verifier of one sign-in attempt, and the page to return to afterwards (`next`, a checked
 * same-origin path). `next` rides here rather than in the OAuth `state` parameter: sealed, bound to
 * this attempt, and never shown to the IdP (a study UID in a link is not its business). It lives in a cookie rather than a table so any node of a
 * scale-out deployment can finish a sign-in another node began, and nothing needs cleaning up. The
 * cookie is sealed (AES-256-GCM, key derived from OIDC_CLIENT_SECRET, which every node shares), so
 * it can be neither read (the verifier stays secret) nor forged or altered (a page that plants a
 * cookie cannot pick the state it will be checked against). SameSite=Lax, not Strict: the callback
 * is a top-level navigation coming from the IdP's site, on which a Strict cookie is not sent.
 */
export type OidcTransaction = { state: string; nonce: string; codeVerifier: string; next: string };

export const TRANSACTION_COOKIE = 'ich_oidc';
/** The cookie only goes to the OIDC routes. */
const COOKIE_PATH = '/api/auth/oidc';
/** Time a person has at the IdP to sign in. */
export const TRANSACTION_TTL_MS = 10 * 60_000;

type Sealed = OidcTransaction & { expiresAt: number };

/** Seals and opens transaction cookies with a key derived from the client secret. */
export class TransactionCookie {
  private readonly key: Buffer;

  constructor(
    clientSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', clientSecret, 'ich-triage', 'oidc-transaction-cookie', 32));
  }

  /** A Set-Cookie value holding `tx` for TRANSACTION_TTL_MS. */
  set(tx: OidcTransaction, secure: boolean): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = JSON.stringify({ ...tx, expiresAt: this.now() + TRANSACTION_TTL_MS } satisfies Sealed);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const value = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    return `${TRANSACTION_COOKIE}=${value}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${TRANSACTION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  /** A Set-Cookie value that deletes the transaction cookie (each one is used once). */
  clear(secure: boolean): string {
    return `${TRANSACTION_COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  }

  /** The transaction in a Cookie header, or null when absent, altered, sealed with another key or expired. */
  read(cookieHeader: string | null): OidcTransaction | null {
    const value = readCookie(cookieHeader, TRANSACTION_COOKIE);
    if (!value || value.length > 2048) return null;
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length < 12 + 16 + 2) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      const sealed = JSON.parse(plain) as Partial<Sealed>;
      if (typeof sealed.state !== 'string' || typeof sealed.nonce !== 'string' || typeof sealed.codeVerifier !== 'string') return null;
      if (typeof sealed.expiresAt !== 'number' || sealed.expiresAt <= this.now()) return null;
      // Checked again on the way out, though only this server can seal: the rule is cheap, a redirect is not.
      const next = safeNextPath(typeof sealed.next === 'string' ? sealed.next : null) ?? '/';
      return { state: sealed.state, nonce: sealed.nonce, codeVerifier: sealed.codeVerifier, next };
    } catch {
      return null; // wrong key or altered: GCM's tag check fails
    }
  }
}
