import { LABELS, type Label } from '@/lib/labels';

/** A slice's truth per label: 1 bleed, 0 none, null when the label is unknown for that slice. */
export type Truth = 0 | 1 | null;

/**
 * Area under the ROC curve by the Mann-Whitney statistic, with tied scores sharing their mean
 * rank (so ties count half, as sklearn's roc_auc_score does). Pairs whose truth is null are left
 * out. Null when there is no positive or no negative: an AUC of such a set means nothing.
 */
export function rocAuc(scores: ArrayLike<number>, truth: ArrayLike<Truth>): number | null {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (truth[i] === 0 || truth[i] === 1) idx.push(i);
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSumPositives = 0;
  for (let start = 0; start < idx.length; ) {
    let end = start + 1;
    while (end < idx.length && scores[idx[end]!] === scores[idx[start]!]) end++;
    const meanRank = (start + 1 + end) / 2; // ranks start..end-1, 1-based
    for (let k = start; k < end; k++) {
      if (truth[idx[k]!] === 1) {
        positives++;
        rankSumPositives += meanRank;
      }
    }
    start = end;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** RSNA 2019's label weights: "any" counts twice. */
export const RSNA_WEIGHTS: Record<Label, number> = {
  any: 2,
  epidural: 1,
  intraparenchymal: 1,
  intraventricular: 1,
  subarachnoid: 1,
  subdural: 1,
};

const EPS = 1e-15;

/**
 * The RSNA 2019 metric: per slice, the weighted mean over labels of the binary log loss, then the
 * mean over slices. Unknown labels (null) leave both the loss and the weight of that slice.
 * Probabilities are clipped to [1e-15, 1 - 1e-15] as sklearn's log_loss does.
 */
export function weightedLogLoss(probabilities: readonly (readonly number[])[], truth: readonly (readonly Truth[])[]): number | null {
  let total = 0;
  let counted = 0;
  for (let i = 0; i < probabilities.length; i++) {
    let loss = 0;
    let weight = 0;
    LABELS.forEach((label, j) => {
      const y = truth[i]![j];
      if (y !== 0 && y !== 1) return;
      const p = Math.min(1 - EPS, Math.max(EPS, probabilities[i]![j]!));
      loss -= RSNA_WEIGHTS[label] * (y === 1 ? Math.log(p) : Math.log(1 - p));
      weight += RSNA_WEIGHTS[label];
    });
    if (weight > 0) {
      total += loss / weight;
      counted++;
    }
  }
  return counted === 0 ? null : total / counted;
}

export interface Confusion {
  sensitivity: number | null;
  specificity: number | null;
  truePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  falsePositives: number;
}

/** Sensitivity and specificity when a score >= threshold is called positive. */
export function atThreshold(scores: ArrayLike<number>, truth: ArrayLike<Truth>, threshold: number): Confusion {
  let tp = 0;
  let fn = 0;
  let tn = 0;
  let fp = 0;
  for (let i = 0; i < scores.length; i++) {
    const y = truth[i];
    if (y !== 0 && y !== 1) continue;
    const called = scores[i]! >= threshold;
    if (y === 1 && called) tp++;
    else if (y === 1) fn++;
    else if (called) fp++;
    else tn++;
  }
  return {
    sensitivity: tp + fn === 0 ? null : tp / (tp + fn),
    specificity: tn + fp === 0 ? null : tn / (tn + fp),
    truePositives: tp,
    falseNegatives: fn,
    trueNegatives: tn,
    falsePositives: fp,
  };
}
