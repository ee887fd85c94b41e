import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTER, filterStudies, filterToSearch, isFiltered, matchesQuery, parseFilter, type WorklistFilter } from './worklist-filter';
import { row } from './worklist-fixture';

const NOW = new Date(2026, 10, 23, 9, 30).getTime(); // local time: "today" is the local day
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

const studies = [
  row(1, { status: 'receiving', outcome: null, receivedAt: hoursAgo(0.1) }),
  row(2, { status: 'analysing', outcome: null, receivedAt: hoursAgo(1) }),
  row(3, { flagged: true, outcome: 'flagged', flags: { epidural: false, intraparenchymal: false, intraventricular: false, subarachnoid: false, subdural: true }, receivedAt: hoursAgo(12), assignee: 'mira' }),
  row(4, { status: 'in_review', flagged: true, outcome: 'flagged', escalated: true, receivedAt: hoursAgo(30) }),
  row(5, { outcome: 'not_analysable', notAnalysableReason: 'no axial series', receivedAt: hoursAgo(50), patient: 'J.D. …4821' }),
];
const uids = (f: Partial<WorklistFilter>) => filterStudies(studies, { ...DEFAULT_FILTER, ...f }, NOW).map((s) => s.rank);

describe('worklist filters', () => {
  it('narrows by status group, flag, not analysable and arrival, keeping the order', () => {
    expect(uids({})).toEqual([1, 2, 3, 4, 5]);
    expect(uids({ status: 'incoming' })).toEqual([1, 2]);
    expect(uids({ status: 'triaged' })).toEqual([3, 5]);
    expect(uids({ status: 'in_review' })).toEqual([4]);
    expect(uids({ flaggedOnly: true })).toEqual([3, 4]);
    expect(uids({ notAnalysableOnly: true })).toEqual([5]);
    expect(uids({ arrival: '24h' })).toEqual([1, 2, 3]);
    // 09:30 local: 0.1 h and 1 h ago are today, 12 h ago was yesterday evening.
    expect(uids({ arrival: 'today' })).toEqual([1, 2]);
    expect(uids({ flaggedOnly: true, status: 'triaged', arrival: '24h' })).toEqual([3]);
  });

  it('searches what the row shows: masked patient, reason, subtype, assignee, escalation, UID tail', () => {
    expect(uids({ query: '4821' })).toEqual([5]);
    expect(uids({ query: 'j.d.' })).toEqual([5]);
    expect(uids({ query: 'axial' })).toEqual([5]);
    expect(uids({ query: 'SUBDURAL' })).toEqual([3]);
    expect(uids({ query: 'mira' })).toEqual([3]);
    expect(uids({ query: 'analys' })).toEqual([2, 5]); // "Analysing", "Not analysable"
    expect(uids({ query: 'escalated' })).toEqual([4]);
    expect(uids({ query: '8.498.2' })).toEqual([2]);
    expect(uids({ query: 'flagged mira' })).toEqual([3]); // every term must match
    expect(uids({ query: '   ' })).toEqual([1, 2, 3, 4, 5]);
  });

  it('matches the chip abbreviations, status words and "unassigned" the row shows, in any case', () => {
    expect(uids({ query: 'SDH' })).toEqual([3]);
    expect(uids({ query: 'sdh' })).toEqual([3]);
    expect(uids({ query: 'EDH' })).toEqual([]); // no row flags an epidural
    expect(uids({ query: 'unassigned' })).toEqual([1, 2, 4, 5]);
    expect(uids({ query: 'UNASSIGNED flagged' })).toEqual([4]);
    expect(uids({ query: 'receiving' })).toEqual([1]);
    expect(uids({ query: 'In Review' })).toEqual([4]);
    expect(uids({ query: 'triaged' })).toEqual([3]); // row 5 reads "Not analysable"
    expect(uids({ query: 'F 67Y' })).toEqual([1, 2, 3, 4, 5]);
  });

  it('never matches text the row does not show (the UID root, identifiers)', () => {
    expect(matchesQuery(row(7), '1.2.826')).toBe(false);
  });

  it('round-trips through the URL query and ignores what it does not know', () => {
    const f: WorklistFilter = { status: 'triaged', flaggedOnly: true, notAnalysableOnly: false, arrival: 'today', query: 'ana' };
    const search = filterToSearch(f);
    expect(search).toBe('?status=triaged&flagged=1&arrived=today&q=ana');
    expect(parseFilter(new URLSearchParams(search))).toEqual(f);
    expect(filterToSearch(DEFAULT_FILTER)).toBe('');
    expect(isFiltered(DEFAULT_FILTER)).toBe(false);
    expect(parseFilter(new URLSearchParams('status=deleted&arrived=1999&flagged=yes&q=' + 'x'.repeat(500)))).toEqual({ ...DEFAULT_FILTER, query: 'x'.repeat(64) });
  });
});
