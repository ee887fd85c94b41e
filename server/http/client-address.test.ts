import { describe, expect, it } from 'vitest';
import { clientAddress, normaliseAddress, resolveClientAddress } from './client-address';
import { isAllowedHost } from './host-check';
import { readHttpSettings } from './http-env';

const settings = (env: { TRUSTED_PROXIES?: string; ALLOWED_HOSTS?: string; PUBLIC_URL?: string }, hostnames = ['ct-triage']) =>
  readHttpSettings({ TRUSTED_PROXIES: env.TRUSTED_PROXIES ?? '', ALLOWED_HOSTS: env.ALLOWED_HOSTS, PUBLIC_URL: env.PUBLIC_URL }, hostnames);

describe('client address', () => {
  const none = settings({}).settings.trustedProxies;
  const proxies = settings({ TRUSTED_PROXIES: '10.0.0.0/8, ::1' }).settings.trustedProxies;

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(resolveClientAddress('127.0.0.1', '1.2.3.4', none)).toBe('127.0.0.1');
    expect(resolveClientAddress('::ffff:192.168.1.7', '127.0.0.1, 10.0.0.1', none)).toBe('192.168.1.7');
  });

  it('reads X-Forwarded-For from the right through trusted proxies only', () => {
    expect(resolveClientAddress('10.0.0.2', '198.51.100.7', proxies)).toBe('198.51.100.7');
    // The client wrote "127.0.0.1" itself; the proxy appended the address it really saw.
    expect(resolveClientAddress('10.0.0.2', '127.0.0.1, 203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(resolveClientAddress('::1', '203.0.113.9, 10.1.1.1', proxies)).toBe('203.0.113.9');
    expect(resolveClientAddress('10.0.0.2', 'garbage, 10.9.9.9', proxies)).toBe('10.9.9.9');
    expect(resolveClientAddress('10.0.0.2', undefined, proxies)).toBe('10.0.0.2');
    expect(resolveClientAddress('192.168.1.7', '203.0.113.9', proxies)).toBe('192.168.1.7');
  });

  it('keeps only addresses for the journal', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.9' }))).toBe('203.0.113.9');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '<script>' }))).toBeNull();
    expect(normaliseAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normaliseAddress('203.0.113.9:5000')).toBe('203.0.113.9');
    expect(normaliseAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
  });
});

describe('TRUSTED_PROXIES, ALLOWED_HOSTS, PUBLIC_URL', () => {
  it('refuses what is not an address or CIDR, and a PUBLIC_URL with a path', () => {
    expect(settings({ TRUSTED_PROXIES: '10.0.0.0/8,fd00::/8,192.168.1.1' }).problems).toEqual([]);
    expect(settings({ TRUSTED_PROXIES: 'proxy.local' }).problems[0]).toMatch(/^TRUSTED_PROXIES: "proxy.local" is not an address or CIDR/);
    expect(settings({ TRUSTED_PROXIES: '10.0.0.0/33' }).problems[0]).toMatch(/bad prefix length/);
    expect(settings({ PUBLIC_URL: 'https://triage.example.org/app' }).problems[0]).toMatch(/^PUBLIC_URL:/);
    expect(settings({ ALLOWED_HOSTS: 'https://x.org' }).problems[0]).toMatch(/^ALLOWED_HOSTS:/);
  });

  it('allows IP literals, localhost, this machine and PUBLIC_URL by default; others by name only', () => {
    const allowed = settings({ PUBLIC_URL: 'https://triage.example.org' }).settings.allowedHosts;
    for (const host of ['127.0.0.1:3000', '[::1]:3000', '10.2.3.4', 'localhost:3000', 'CT-TRIAGE:3000', 'triage.example.org', 'app.localhost']) {
      expect(isAllowedHost(host, allowed), host).toBe(true);
    }
    for (const host of ['evil.example:3000', 'triage.example.org.evil.example', undefined]) expect(isAllowedHost(host, allowed), String(host)).toBe(false);
    const listed = settings({ ALLOWED_HOSTS: 'triage.hospital.local' }).settings.allowedHosts;
    expect(isAllowedHost('localhost:3000', listed)).toBe(false);
    expect(isAllowedHost('triage.hospital.local', listed)).toBe(true);
    expect(isAllowedHost('anything.example', settings({ ALLOWED_HOSTS: '*' }).settings.allowedHosts)).toBe(true);
  });
});
