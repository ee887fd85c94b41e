import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { readHttpSettings } from './http-env';
import { prepareRequest } from './prepare-request';
import { PUBLIC_ORIGIN_HEADER } from './request-origin';

const settings = (env: { TRUSTED_PROXIES?: string; PUBLIC_URL?: string } = {}) =>
  readHttpSettings({ TRUSTED_PROXIES: env.TRUSTED_PROXIES ?? '', ALLOWED_HOSTS: undefined, PUBLIC_URL: env.PUBLIC_URL }, ['ct-triage']).settings;

function incoming(peer: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: { ...headers } } as unknown as IncomingMessage;
}

describe('prepareRequest (the HTTP edge)', () => {
  it('drops forwarding headers from a peer that is not a trusted proxy and leaves its own address', () => {
    const req = incoming('::ffff:192.168.1.50', {
      host: 'ct-triage:3000',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'for=1.2.3.4',
      [PUBLIC_ORIGIN_HEADER]: 'https://evil.example',
    });
    expect(prepareRequest(req, settings())).toBe(true);
    expect(req.headers).toEqual({ host: 'ct-triage:3000', 'x-forwarded-for': '192.168.1.50' });
  });

  it('keeps a trusted proxy’s headers, resolving X-Forwarded-For to the client it saw', () => {
    const req = incoming('10.0.0.2', { host: 'backend:3000', 'x-forwarded-for': '127.0.0.1, 203.0.113.9', 'x-forwarded-host': 'triage.example.org', 'x-forwarded-proto': 'https' });
    expect(prepareRequest(req, settings({ TRUSTED_PROXIES: '10.0.0.0/8', PUBLIC_URL: 'https://triage.example.org' }))).toBe(true);
    expect(req.headers['x-forwarded-for']).toBe('203.0.113.9');
    expect(req.headers['x-forwarded-proto']).toBe('https');
    expect(req.headers[PUBLIC_ORIGIN_HEADER]).toBe('https://triage.example.org');
  });

  it('refuses a Host name that is not allowed, also when a proxy forwards it', () => {
    expect(prepareRequest(incoming('127.0.0.1', { host: 'attacker.example:3000' }), settings())).toBe(false);
    expect(prepareRequest(incoming('10.0.0.2', { host: 'localhost', 'x-forwarded-host': 'attacker.example' }), settings({ TRUSTED_PROXIES: '10.0.0.2' }))).toBe(false);
    // From an untrusted peer the forwarded host is dropped, and its own Host is what counts.
    expect(prepareRequest(incoming('192.168.1.9', { host: 'localhost:3000', 'x-forwarded-host': 'attacker.example' }), settings())).toBe(true);
  });
});
