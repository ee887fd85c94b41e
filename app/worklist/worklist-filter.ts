import { SUBTYPE_ABBREVIATIONS, SUBTYPES } from '@/lib/labels';
import type { WorklistItem } from '@/lib/worklist';
import { describeStatus, formatSexAge } from './format';

/**
 * What the clinician narrowed the live worklist to. Applied in the browser over the live list, so
 * a study that starts to match (or stops) moves in or out as its events arrive.
 */
export interface WorklistFilter {
  status: StatusFilter;
  flaggedOnly: boolean;
  notAnalysableOnly: boolean;
  arrival: ArrivalFilter;
  /** Free text; empty matches everything. */
  query: string;
}

export const STATUS_FILTERS = ['active', 'incoming', 'triaged', 'in_review', 'reported', 'dismissed', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const STATUS_FILTER_TEXT: Record<StatusFilter, string> = {
  active: 'All active',
  incoming: 'Receiving / analysing',
  triaged: 'Triaged',
  in_review: 'In review',
  reported: 'Reported',
  dismissed: 'Dismissed',
  all: 'All, finished included',
};

/**
 * The finished studies a filter needs from the server (GET /api/worklist?status=…), which the live
 * list does not hold; null when the live list is enough.
 */
export function finishedViewOf(filter: WorklistFilter): 'reported' | 'dismissed' | 'all' | null {
  return filter.status === 'reported' || filter.status === 'dismissed' || filter.status === 'all' ? filter.status : null;
}

export const ARRIVAL_FILTERS = ['all', '24h', 'today'] as const;
export type ArrivalFilter = (typeof ARRIVAL_FILTERS)[number];
export const ARRIVAL_FILTER_TEXT: Record<ArrivalFilter, string> = { all: 'Any time', '24h': 'Last 24 h', today: 'Today' };

export const DEFAULT_FILTER: WorklistFilter = { status: 'active', flaggedOnly: false, notAnalysableOnly: false, arrival: 'all', query: '' };

const STATUSES_OF: Record<StatusFilter, ReadonlySet<WorklistItem['status']>> = {
  active: new Set(['receiving', 'analysing', 'triaged', 'in_review']),
  incoming: new Set(['receiving', 'analysing']),
  triaged: new Set(['triaged']),
  in_review: new Set(['in_review']),
  reported: new Set(['reported']),
  dismissed: new Set(['dismissed']),
  all: new Set(['receiving', 'analysing', 'triaged', 'in_review', 'reported', 'dismissed']),
};

/** Longest search text kept from a URL: enough for a UID, short enough to bound the work. */
const MAX_QUERY = 64;

function oneOf<T extends string>(values: readonly T[], raw: string | null, fallback: T): T {
  return raw !== null && (values as readonly string[]).includes(raw) ? (raw as T) : fallback;
}

/** The filter in a URL query; anything unknown or malformed falls back to its default. */
export function parseFilter(params: URLSearchParams): WorklistFilter {
  return {
    status: oneOf(STATUS_FILTERS, params.get('status'), DEFAULT_FILTER.status),
    flaggedOnly: params.get('flagged') === '1',
    notAnalysableOnly: params.get('na') === '1',
    arrival: oneOf(ARRIVAL_FILTERS, params.get('arrived'), DEFAULT_FILTER.arrival),
    query: (params.get('q') ?? '').slice(0, MAX_QUERY),
  };
}

/** The URL query for a filter (defaults left out, so the plain worklist keeps a plain address). */
export function filterToSearch(filter: WorklistFilter): string {
  const params = new URLSearchParams();
  if (filter.status !== DEFAULT_FILTER.status) params.set('status', filter.status);
  if (filter.flaggedOnly) params.set('flagged', '1');
  if (filter.notAnalysableOnly) params.set('na', '1');
  if (filter.arrival !== DEFAULT_FILTER.arrival) params.set('arrived', filter.arrival);
  if (filter.query.trim()) params.set('q', filter.query.trim());
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** True when the filter narrows anything. */
export function isFiltered(filter: WorklistFilter): boolean {
  return filterToSearch(filter) !== '';
}

/** The last 8 characters of the study UID: what the row shows and what search matches. */
export function uidSuffix(uid: string): string {
  return uid.slice(-8);
}

/**
 * The text a search runs over: only what the row itself shows (masked patient, sex/age, status and
 * reason, flagged subtypes by name and chip abbreviation, assignee or "unassigned", model, the UID's
 * tail). The row holds no identifier, so neither can a search. Only flagged subtypes match: every
 * scored row shows all five chips, so "SDH" matching unflagged chips would find every row.
 */
function searchText(s: WorklistItem): string {
  const subtypes = SUBTYPES.filter((l) => s.flags[l]);
  return [
    s.patient,
    formatSexAge(s.patientSex, s.patientAge),
    describeStatus(s),
    s.escalated ? 'escalated' : '',
    s.flagged ? 'flagged' : '',
    ...subtypes,
    ...subtypes.map((l) => SUBTYPE_ABBREVIATIONS[l]),
    s.assignee ?? 'unassigned',
    s.model ?? '',
    uidSuffix(s.studyInstanceUid),
  ]
    .join('\n')
    .toLowerCase();
}

/** Every whitespace-separated term must appear somewhere in the row. */
export function matchesQuery(s: WorklistItem, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const text = searchText(s);
  return terms.every((t) => text.includes(t));
}

/** Local midnight of the day `now` falls in ("today" is the reading room's day, not UTC's). */
function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The rows the filter keeps, in their existing order. */
export function filterStudies(studies: readonly WorklistItem[], filter: WorklistFilter, now: number): WorklistItem[] {
  const statuses = STATUSES_OF[filter.status];
  const since = filter.arrival === 'today' ? startOfDay(now) : filter.arrival === '24h' ? now - 86_400_000 : -Infinity;
  return studies.filter(
    (s) =>
      statuses.has(s.status) &&
      (!filter.flaggedOnly || s.flagged) &&
      (!filter.notAnalysableOnly || s.outcome === 'not_analysable') &&
      Date.parse(s.receivedAt) >= since &&
      matchesQuery(s, filter.query),
  );
}
