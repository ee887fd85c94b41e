import { describe, expect, it } from 'vitest';
import { ssoStartHref } from './sso-start-href';

describe('ssoStartHref', () => {
  it('carries a same-origin return path to the OIDC start route', () => {
    expect(ssoStartHref('/studies/1.2.3?slice=1.2.3.4')).toBe('/api/auth/oidc/start?next=%2Fstudies%2F1.2.3%3Fslice%3D1.2.3.4');
  });

  it('carries nothing for the worklist or for anything that is not a same-origin path', () => {
    for (const next of ['/', '//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      expect(ssoStartHref(next)).toBe('/api/auth/oidc/start');
    }
  });
});
