import type { HeadCoverage } from './series-completion';

/** What decided that a study's slices had all arrived. */
export type CompletionBasis = 'announced' | 'association' | 'geometry' | 'quiet';

/** What a receiving study says about itself, read from the database (nothing is outstanding to analyse). */
export interface StudyCompletionFacts {
  /** ms since the last slice was recorded. */
  sinceLastSliceMs: number;
  /** A series holds the slice count the scanner announced (ImagesInAcquisition). */
  announcedCountReached: boolean;
  /** Every series was closed by its sender: the DIMSE association that carried it was released after its last instance. */
  senderDone: boolean;
  /** The best coverage among the study's series (one that covers, else the first one judged). */
  coverage: HeadCoverage;
}

export interface CompletionRule {
  /** The fallback: complete when no slice arrived for this long. */
  quietPeriodMs: number;
  /**
   * The early signals (association end, geometry) count only after this long without a slice: a
   * sender streaming a study leaves milliseconds between slices, so a study read mid-stream (a
   * covering series while another still arrives, one association per instance) is not called done.
   */
  settleMs: number;
  /** Off: the quiet period (and an announced count) only, as before the early rule (benchmarks compare both). */
  early: boolean;
}

export type CompletionDecision =
  | { complete: false }
  | {
      complete: true;
      basis: CompletionBasis;
      /** Completed only by the quiet period while the geometry says the head is not covered (a sender died mid-study, say). */
      possiblyIncomplete: boolean;
    };

/**
 * Decides whether a study is complete, soonest signal first: the announced slice count, the
 * sender's association end, the series' own geometry (contiguous from skull base to vertex), and
 * the quiet period as the fallback. A late slice re-opens a completed study (record-instance.ts),
 * so an early "complete" costs at most a second triage, never a lost slice.
 */
export function decideCompletion(facts: StudyCompletionFacts, rule: CompletionRule): CompletionDecision {
  if (facts.announcedCountReached) return { complete: true, basis: 'announced', possiblyIncomplete: false };
  const settled = facts.sinceLastSliceMs >= rule.settleMs;
  if (rule.early && settled && facts.senderDone) return { complete: true, basis: 'association', possiblyIncomplete: false };
  if (rule.early && settled && facts.coverage.covers) return { complete: true, basis: 'geometry', possiblyIncomplete: false };
  if (facts.sinceLastSliceMs >= rule.quietPeriodMs) {
    // Not judging (slices not measured: decode failures say so themselves) is not evidence of a missing part.
    const definite = !facts.coverage.covers && facts.coverage.code !== 'UNKNOWN';
    return { complete: true, basis: 'quiet', possiblyIncomplete: definite };
  }
  return { complete: false };
}

const BASIS_WORDS: Record<CompletionBasis, string> = {
  announced: 'every announced slice arrived',
  association: 'the sender closed its association',
  geometry: 'the slices cover the head',
  quiet: 'no slice came for the quiet period',
};

/** The completion in words, for the status history. */
export function describeCompletion(basis: CompletionBasis, possiblyIncomplete: boolean): string {
  return `complete: ${BASIS_WORDS[basis]}${possiblyIncomplete ? ', but the slices do not cover the head (possibly incomplete)' : ''}`;
}

/**
 * The study's coverage: a series that covers the head wins; otherwise the verdict on the series with
 * the most slices (the one that will be analysed, not a two-image scout).
 */
export function bestCoverage(perSeries: readonly { slices: number; coverage: HeadCoverage }[]): HeadCoverage {
  const covering = perSeries.find((s) => s.coverage.covers);
  if (covering) return covering.coverage;
  const largest = [...perSeries].sort((a, b) => b.slices - a.slices)[0];
  return largest?.coverage ?? { covers: false, code: 'TOO_FEW', reason: 'no slices' };
}
