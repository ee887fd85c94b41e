/**
 * The rules that turn a study's slice probabilities into one study probability per label
 * (server/triage/aggregate-study.ts). Which one a model uses is measured on validation data and
 * recorded in its manifest.
 */
export const AGGREGATIONS = ['max', 'top3-mean', 'noisy-or'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
