import { describe, expect, it } from 'vitest';
import { formatDateTime, formatFullDateTime } from './format-date-time';

const opts = { locale: 'en-GB', timeZone: 'Europe/Berlin' } as const;
// 2026-11-23 09:30 in Berlin (UTC+1).
const NOW = Date.parse('2026-11-23T08:30:00Z');

describe('formatDateTime', () => {
  it('shows the time alone for today, in the given zone', () => {
    expect(formatDateTime('2026-11-23T07:05:09Z', { ...opts, now: NOW })).toBe('08:05');
    expect(formatDateTime('2026-11-23T07:05:09Z', { ...opts, now: NOW, seconds: true })).toBe('08:05:09');
  });

  it('puts the date before the time on any other day, and the year in another year', () => {
    expect(formatDateTime('2026-11-22T22:50:00Z', { ...opts, now: NOW })).toBe('22 Nov, 23:50');
    expect(formatDateTime('2025-11-23T08:00:00Z', { ...opts, now: NOW })).toBe('23 Nov 2025, 09:00');
  });

  it('judges "today" in the browser zone, not UTC', () => {
    // 23:30 UTC on the 22nd is already the 23rd in Berlin: today, bare time.
    expect(formatDateTime('2026-11-22T23:30:00Z', { ...opts, now: NOW })).toBe('00:30');
    // The same instant in New York is the 22nd while "now" is the 23rd there too (03:30): dated.
    expect(formatDateTime('2026-11-22T23:30:00Z', { locale: 'en-GB', timeZone: 'America/New_York', now: NOW })).toBe('22 Nov, 18:30');
  });

  it('says "—" for nothing or an unreadable value', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
    expect(formatFullDateTime(undefined)).toBe('—');
  });

  it('gives a full date and time for tooltips', () => {
    expect(formatFullDateTime('2026-11-23T07:05:09Z', opts)).toBe('23 Nov 2026, 08:05:09');
  });
});
