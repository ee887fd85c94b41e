import { describe, expect, it } from 'vitest';
import { loginHref, safeNextPath } from './safe-next-path';

describe('safeNextPath', () => {
  it('keeps a same-origin path with its query and hash', () => {
    expect(safeNextPath('/studies/1.2.3')).toBe('/studies/1.2.3');
    expect(safeNextPath('/studies/1.2.3?slice=1.2.3.4#x')).toBe('/studies/1.2.3?slice=1.2.3.4#x');
    expect(safeNextPath('/audit')).toBe('/audit');
  });

  it('refuses anything that could leave the site', () => {
    for (const bad of [
      '//evil.com',
      '//evil.com/studies/1',
      'https://evil.com',
      'http:evil.com',
      'javascript:alert(1)',
      '/\\evil.com',
      '\\\\evil.com',
      '/studies\\..\\x',
      '/\t/evil.com',
      'evil.com',
      '',
      '/' + 'a'.repeat(600),
    ]) {
      expect(safeNextPath(bad), bad).toBeNull();
    }
    // Percent-encoded text stays text in a path on this site.
    expect(safeNextPath('/%2F%2Fevil.com')).toBe('/%2F%2Fevil.com');
    expect(safeNextPath('//evil.com')).toBeNull();
    expect(safeNextPath('https://evil.com/x')).toBeNull();
    expect(safeNextPath('/\\evil.com')).toBeNull();
    expect(safeNextPath(null)).toBeNull();
    expect(safeNextPath(undefined)).toBeNull();
  });

  it('refuses the sign-in page (a loop) and API routes', () => {
    expect(safeNextPath('/login')).toBeNull();
    expect(safeNextPath('/login?next=/x')).toBeNull();
    expect(safeNextPath('/api/worklist')).toBeNull();
  });

  it('builds the sign-in address that returns there', () => {
    expect(loginHref('/studies/1.2.3?slice=4')).toBe('/login?next=%2Fstudies%2F1.2.3%3Fslice%3D4');
    expect(loginHref('/')).toBe('/login');
    expect(loginHref('//evil.com')).toBe('/login');
    // Why single sign-on was refused, before the return path (which is dropped when unsafe).
    expect(loginHref('/audit', { oidc: 'no_role' })).toBe('/login?oidc=no_role&next=%2Faudit');
    expect(loginHref('https://evil.com', { oidc: 'refused' })).toBe('/login?oidc=refused');
  });
});
