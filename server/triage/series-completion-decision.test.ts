import { describe, expect, it } from 'vitest';
import { bestCoverage, decideCompletion, describeCompletion, type StudyCompletionFacts } from './series-completion-decision';

const covers = { covers: true as const, reason: 'covers' };
const cut = { covers: false as const, code: 'END_CUT' as const, reason: 'cut' };
const unknown = { covers: false as const, code: 'UNKNOWN' as const, reason: 'not measured' };
const rule = { quietPeriodMs: 5000, settleMs: 1000, early: true };
const facts = (f: Partial<StudyCompletionFacts>): StudyCompletionFacts => ({ sinceLastSliceMs: 0, announcedCountReached: false, senderDone: false, coverage: cut, ...f });

describe('decideCompletion', () => {
  it('completes on the announced count at once, on the sender\'s association end or covering geometry after the settle time', () => {
    expect(decideCompletion(facts({ announcedCountReached: true }), rule)).toEqual({ complete: true, basis: 'announced', possiblyIncomplete: false });
    expect(decideCompletion(facts({ senderDone: true, sinceLastSliceMs: 999 }), rule)).toEqual({ complete: false });
    expect(decideCompletion(facts({ senderDone: true, sinceLastSliceMs: 1000 }), rule)).toEqual({ complete: true, basis: 'association', possiblyIncomplete: false });
    expect(decideCompletion(facts({ coverage: covers, sinceLastSliceMs: 999 }), rule)).toEqual({ complete: false });
    expect(decideCompletion(facts({ coverage: covers, sinceLastSliceMs: 1200 }), rule)).toEqual({ complete: true, basis: 'geometry', possiblyIncomplete: false });
  });

  it('falls back to the quiet period, marking a study whose slices do not cover the head possibly incomplete', () => {
    expect(decideCompletion(facts({ sinceLastSliceMs: 4999 }), rule)).toEqual({ complete: false });
    expect(decideCompletion(facts({ sinceLastSliceMs: 5000 }), rule)).toEqual({ complete: true, basis: 'quiet', possiblyIncomplete: true });
    // Not judged (slices not measured) is not evidence of a missing part.
    expect(decideCompletion(facts({ sinceLastSliceMs: 5000, coverage: unknown }), rule)).toEqual({ complete: true, basis: 'quiet', possiblyIncomplete: false });
  });

  it('with the early rule off, waits for the quiet period whatever the series says', () => {
    const off = { ...rule, early: false };
    expect(decideCompletion(facts({ senderDone: true, coverage: covers, sinceLastSliceMs: 4000 }), off)).toEqual({ complete: false });
    expect(decideCompletion(facts({ coverage: covers, sinceLastSliceMs: 5000 }), off)).toEqual({ complete: true, basis: 'quiet', possiblyIncomplete: false });
  });
});

describe('bestCoverage', () => {
  it('takes a covering series, else the verdict on the largest series (not a two-image scout)', () => {
    expect(bestCoverage([{ slices: 2, coverage: cut }, { slices: 28, coverage: covers }])).toBe(covers);
    expect(bestCoverage([{ slices: 2, coverage: { covers: false, code: 'TOO_FEW', reason: '' } }, { slices: 28, coverage: unknown }])).toBe(unknown);
    expect(bestCoverage([])).toMatchObject({ covers: false, code: 'TOO_FEW' });
  });
  it('says the basis in words for the status history', () => {
    expect(describeCompletion('quiet', true)).toBe('complete: no slice came for the quiet period, but the slices do not cover the head (possibly incomplete)');
  });
});
