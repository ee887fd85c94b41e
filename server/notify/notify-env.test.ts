import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/server/config';

describe('the notify and outbox variables', () => {
  it('default to no targets, no PHI, 12 attempts from 2 s up to 10 min', () => {
    expect(loadConfig({}).notify).toEqual({
      webhook: undefined,
      fhir: undefined,
      includePhi: false,
      outbox: { maxAttempts: 12, retry: { baseMs: 2000, capMs: 600_000 }, deliveryTimeoutMs: 15_000, keepDeliveredMs: 30 * 86_400_000 },
    });
  });

  it('read a webhook with its secret and events, a FHIR base with its token, and the PHI switch', () => {
    const c = loadConfig({
      NOTIFY_WEBHOOK_URL: 'https://pager.example.org/hooks/ich',
      NOTIFY_WEBHOOK_SECRET: 'sixteen-chars-or-more',
      NOTIFY_WEBHOOK_EVENTS: 'triaged',
      NOTIFY_FHIR_URL: 'https://fhir.example.org/r4',
      NOTIFY_FHIR_TOKEN: 't0ken',
      NOTIFY_INCLUDE_PHI: 'on',
    }).notify;
    expect(c.webhook).toEqual({ url: new URL('https://pager.example.org/hooks/ich'), secret: 'sixteen-chars-or-more', events: 'triaged' });
    expect(c.fhir).toEqual({ baseUrl: new URL('https://fhir.example.org/r4'), token: 't0ken', events: 'triaged' });
    expect(c.includePhi).toBe(true);
  });

  it('refuse a webhook without a secret, a short secret, a non-http URL, unknown events and a base delay above the cap, naming the variable', () => {
    expect(() => loadConfig({ NOTIFY_WEBHOOK_URL: 'https://pager.example.org/h' })).toThrow(/NOTIFY_WEBHOOK_SECRET: required with NOTIFY_WEBHOOK_URL/);
    expect(() => loadConfig({ NOTIFY_WEBHOOK_URL: 'https://pager.example.org/h', NOTIFY_WEBHOOK_SECRET: 'short' })).toThrow(/NOTIFY_WEBHOOK_SECRET: at least 16 characters/);
    expect(() => loadConfig({ NOTIFY_FHIR_URL: 'ftp://fhir.example.org' })).toThrow(/NOTIFY_FHIR_URL: an http\(s\) URL/);
    expect(() => loadConfig({ NOTIFY_WEBHOOK_EVENTS: 'all' })).toThrow(/NOTIFY_WEBHOOK_EVENTS/);
    expect(() => loadConfig({ OUTBOX_RETRY_BASE_S: '700' })).toThrow(/OUTBOX_RETRY_BASE_S: must not exceed OUTBOX_RETRY_MAX_S/);
  });
});
