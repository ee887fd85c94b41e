import { describe, expect, it } from 'vitest';
import { parseRoleMap, roleFromClaim } from './role-map';
import { TransactionCookie } from './transaction-cookie';

describe('parseRoleMap / roleFromClaim', () => {
  const map = parseRoleMap('ich-ed:clinician, ich-radiologists:radiologist,urn:x:ich-admins:admin,ICH Admins:admin');

  it('maps a string, a list or a space-separated string to the highest mapped role', () => {
    expect(roleFromClaim(['staff', 'ich-ed'], map)).toBe('clinician');
    expect(roleFromClaim(['ich-ed', 'urn:x:ich-admins', 'ich-radiologists'], map)).toBe('admin');
    expect(roleFromClaim('ich-ed ich-radiologists', map)).toBe('radiologist');
    expect(roleFromClaim('ICH Admins', map)).toBe('admin');
  });

  it('grants nothing for unmapped, missing or odd claim values', () => {
    for (const value of [['staff'], 'ICH-ED', undefined, null, 42, { ['ich-ed']: true }, [1, 'x']]) expect(roleFromClaim(value, map)).toBeNull();
  });

  it('refuses a bad map, naming the entry', () => {
    expect(() => parseRoleMap('')).toThrow('maps no group to a role');
    expect(() => parseRoleMap('g:integration')).toThrow('"g:integration": role must be one of clinician, radiologist, admin');
    expect(() => parseRoleMap(':admin')).toThrow('":admin" is not group:role');
    expect(() => parseRoleMap('g:admin,g:clinician')).toThrow('group "g" is mapped twice');
  });
});

describe('TransactionCookie', () => {
  const tx = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), next: '/studies/1.2.3?slice=1.2.3.4' };
  const header = (setCookie: string) => setCookie.split(';')[0]!;

  it('round-trips, and its value reveals nothing of the verifier', () => {
    const cookies = new TransactionCookie('a-client-secret-for-tests');
    const set = cookies.set(tx, true);
    expect(set).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
    expect(set).not.toContain('vvvv');
    expect(cookies.read(header(set))).toEqual(tx);
  });

  it('refuses an altered cookie, one sealed with another secret, and an expired one', () => {
    let now = 1_000_000;
    const cookies = new TransactionCookie('a-client-secret-for-tests', () => now);
    const value = header(cookies.set(tx, false));
    const flipped = value.slice(0, -2) + (value.endsWith('A') ? 'B' : 'A') + value.slice(-1);
    expect(cookies.read(flipped)).toBeNull();
    expect(new TransactionCookie('another-client-secret-value').read(value)).toBeNull();
    expect(cookies.read('ich_oidc=not-base64!')).toBeNull();
    now += 10 * 60_000;
    expect(cookies.read(value)).toBeNull();
  });
});
