/**
 * The one way a time is shown on every page: the browser's time zone and locale, the time alone
 * only when it falls on today, the date before it otherwise (and the year when it is not this
 * year), so no page ever shows a bare time that belongs to another day.
 */
export interface DateTimeOptions {
  /** Seconds matter where minutes to triage are read (the study summary). */
  seconds?: boolean;
  /** "Today" is judged against this instant (tests; a page passes its ticking clock). */
  now?: number;
  /** Tests only: pages use the browser's own zone and locale. */
  timeZone?: string;
  locale?: string;
}

type Input = string | number | Date;

const dayKey = (d: Date, timeZone: string | undefined) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/** "14:05", "23 Nov, 14:05" or "23 Nov 2025, 14:05" (in the browser's locale); "—" for nothing or garbage. */
export function formatDateTime(value: Input | null | undefined, options: DateTimeOptions = {}): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  const { timeZone, locale } = options;
  const now = new Date(options.now ?? Date.now());
  const sameDay = dayKey(d, timeZone) === dayKey(now, timeZone);
  const sameYear = dayKey(d, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    ...(options.seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
    ...(sameDay || sameYear ? {} : { year: 'numeric' }),
  }).format(d);
}

/** The full date and time for a tooltip or an export: always with the date, seconds included. */
export function formatFullDateTime(value: Input | null | undefined, options: Omit<DateTimeOptions, 'now' | 'seconds'> = {}): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(options.locale, {
    timeZone: options.timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}
