import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { loadConfig } from '@/server/config';
import { addressKey } from './login-throttle';
import { isSameOrigin, isStateChanging } from './origin-check';
import { parseApiTokens } from './parse-api-tokens';
import { can } from '@/lib/roles';
import { safeEqual } from './secrets';
import { clearSessionCookies, cookieIsSecure, isHttpsRequest, readCookie, readSessionToken, sessionCookie } from './session-cookie';

describe('CSRF origin check', () => {
  const h = (init: Record<string, string>) => new Headers(init);

  it('accepts our own origin (Host or X-Forwarded-Host), with Referer as the fallback', () => {
    expect(isSameOrigin(h({ host: 'triage.local:3000', origin: 'http://triage.local:3000' }))).toBe(true);
    expect(isSameOrigin(h({ host: 'TRIAGE.local:3000', origin: 'https://triage.local:3000' }))).toBe(true);
    expect(isSameOrigin(h({ host: '10.0.0.5:3000', 'x-forwarded-host': 'triage.example.org', origin: 'https://triage.example.org' }))).toBe(true);
    expect(isSameOrigin(h({ host: 'triage.local', referer: 'http://triage.local/login?x=1' }))).toBe(true);
  });

  it('refuses a foreign origin, a missing or opaque origin, another port and odd schemes', () => {
    expect(isSameOrigin(h({ host: 'triage.local', origin: 'https://evil.example' }))).toBe(false);
    expect(isSameOrigin(h({ host: 'triage.local' }))).toBe(false);
    expect(isSameOrigin(h({ host: 'triage.local', origin: 'null' }))).toBe(false);
    expect(isSameOrigin(h({ host: 'triage.local:3000', origin: 'http://triage.local:4000' }))).toBe(false);
    expect(isSameOrigin(h({ host: 'triage.local', origin: 'file://triage.local' }))).toBe(false);
    expect(isSameOrigin(h({ host: 'triage.local', origin: 'http://triage.local.evil.example' }))).toBe(false);
  });

  it('treats every method but GET, HEAD and OPTIONS as state-changing', () => {
    expect(['POST', 'put', 'PATCH', 'DELETE'].every(isStateChanging)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isStateChanging)).toBe(false);
  });
});

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, and Secure with the __Host- prefix when asked', () => {
    expect(sessionCookie('tok', false, 3600)).toBe('ich_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600');
    expect(sessionCookie('tok', true, 60)).toBe('__Host-ich_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
    expect(clearSessionCookies(true)).toHaveLength(2);
    expect(clearSessionCookies(false)[0]).toContain('Max-Age=0');
  });

  it('reads the token from either name, ignoring other cookies and bad encodings', () => {
    expect(readCookie('a=1; ich_session=xyz; b=2', 'ich_session')).toBe('xyz');
    expect(readSessionToken('__Host-ich_session=sec; ich_session=plain')).toBe('sec');
    expect(readSessionToken('x=%E0%A4%A')).toBeUndefined();
    expect(readSessionToken('ich_session=%E0%A4%A')).toBeUndefined();
    expect(readSessionToken(undefined)).toBeUndefined();
  });

  it('is Secure for COOKIE_SECURE=on, never for off, and for https requests in auto', () => {
    expect(isHttpsRequest('http://x/', new Headers({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(isHttpsRequest('https://x/', new Headers())).toBe(true);
    expect(isHttpsRequest('http://x/', new Headers())).toBe(false);
    expect([cookieIsSecure('on', false), cookieIsSecure('off', true), cookieIsSecure('auto', true), cookieIsSecure('auto', false)]).toEqual([true, false, true, false]);
  });
});

describe('API_TOKENS and config', () => {
  const token = 'k'.repeat(40);

  it('parses name:role:token entries', () => {
    expect(parseApiTokens(` pacs:integration:${token} , mon:clinician:${token}+/=`)).toEqual([
      { name: 'pacs', role: 'integration', token },
      { name: 'mon', role: 'clinician', token: `${token}+/=` },
    ]);
    expect(parseApiTokens('')).toEqual([]);
  });

  it('refuses bad entries without echoing the token', () => {
    for (const bad of [`pacs:root:${token}`, 'pacs:integration:short', `pacs:admin:${token}:x`, `bad name:admin:${token}`, `a:admin:${token},a:admin:${token}`]) {
      let caught: unknown;
      try {
        parseApiTokens(bad);
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught, 'CONFIG_INVALID')).toBe(true);
      expect((caught as Error).message).not.toContain(token);
    }
  });

  it('reads the auth settings with safe defaults', () => {
    expect(loadConfig({}).auth).toEqual({ adminUsername: 'admin', adminPassword: undefined, apiTokens: [], sessionTtlMs: 12 * 3_600_000, cookieSecure: 'auto', loginAddressLimit: 20 });
    const c = loadConfig({ ADMIN_USERNAME: 'chief', ADMIN_PASSWORD: 'long enough password', API_TOKENS: `pacs:integration:${token}`, SESSION_TTL_H: '2', COOKIE_SECURE: 'on' });
    expect(c.auth).toMatchObject({ adminUsername: 'chief', adminPassword: 'long enough password', sessionTtlMs: 2 * 3_600_000, cookieSecure: 'on' });
    expect(c.auth.apiTokens).toHaveLength(1);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => loadConfig({ COOKIE_SECURE: 'yes' })).toThrow(/COOKIE_SECURE/);
  });
});

describe('small pieces', () => {
  it('compares secrets in constant time, whatever their lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });

  it('keys the sign-in throttle by IPv4 address, IPv6 /64, or unknown', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('not an address')).toBe('unknown');
  });

  it('keeps integration tokens away from patient data', () => {
    expect(can('integration', 'storeStudies')).toBe(true);
    expect(can('integration', 'readWorklist')).toBe(false);
    expect(can('clinician', 'storeStudies')).toBe(false);
  });
});
