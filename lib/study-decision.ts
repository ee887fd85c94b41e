import { z } from 'zod';
import { SUBTYPES, type Label, type LabelRecord } from './labels';
import type { ModelManifest } from './model-manifest';
import { studyOperatingPointSchema } from './model-manifest';

type Subtype = Exclude<Label, 'any'>;

/** Where the study-level points in force come from. */
export const POINT_SOURCES = ['manifest', 'site', 'admin', 'slice-level'] as const;
export type PointSource = (typeof POINT_SOURCES)[number];

/** One label's decision threshold, with the figures it was chosen from when it was measured. */
export const decisionPointSchema = studyOperatingPointSchema.partial().extend({ threshold: z.number().min(0).max(1) });
export type DecisionPoint = z.infer<typeof decisionPointSchema>;

/**
 * The study-level operating points that flag studies now: the manifest's, a site calibration's
 * (`npm run calibrate`) or one an admin set. "any" decides the flag; a subtype with no point is
 * never shown as suspected.
 */
export const pointsInForceSchema = z.object({
  source: z.enum(POINT_SOURCES),
  /** The model they belong to, "name@version": points are meaningless for another model. */
  model: z.string().min(1),
  points: z.object({
    any: decisionPointSchema,
    ...(Object.fromEntries(SUBTYPES.map((l) => [l, decisionPointSchema.optional()])) as Record<Subtype, z.ZodOptional<typeof decisionPointSchema>>),
  }),
  /** When and by whom (site calibration: the file's date; admin: the change). */
  setAt: z.string().optional(),
  setBy: z.string().optional(),
  /** Labelled studies a site calibration measured. */
  studies: z.number().int().min(0).optional(),
});
export type PointsInForce = z.infer<typeof pointsInForceSchema>;

/** GET /api/operating-points: what is in force, the alternatives an admin may choose, and the last changes. */
export interface OperatingPointsView {
  inForce: PointsInForce;
  manifest: PointsInForce;
  site: PointsInForce | null;
  history: { setAt: string; setBy: string | null; source: PointSource; anyThreshold: number; reason: string }[];
}

/**
 * What a study records of the point it was decided by (Study.decisionPoint): the "any" point and
 * its source. Kept with the study so its explanation stays true after the point in force changes.
 */
export const studyDecisionSchema = decisionPointSchema.extend({
  source: z.enum(POINT_SOURCES),
  setBy: z.string().optional(),
  /** The subtypes' study-level thresholds at the time (a subtype absent here had none: never suspected). */
  subtypeThresholds: z.partialRecord(z.enum(SUBTYPES as unknown as [Subtype, ...Subtype[]]), z.number().min(0).max(1)).optional(),
});
export type StudyDecision = z.infer<typeof studyDecisionSchema>;

/** The manifest's own study points; a manifest without them falls back to its slice-level "any" point. */
export function manifestPoints(manifest: Pick<ModelManifest, 'name' | 'version' | 'operatingPoints' | 'studyOperatingPoints'>): PointsInForce {
  const model = `${manifest.name}@${manifest.version}`;
  if (manifest.studyOperatingPoints) return { source: 'manifest', model, points: manifest.studyOperatingPoints };
  // An older model: its only threshold was chosen on slices, so no subtype is claimed at study level.
  return { source: 'slice-level', model, points: { any: { threshold: manifest.operatingPoints.any.threshold } } };
}

export interface StudyFlags {
  flagged: boolean;
  /** Subtypes shown as suspected: only on a flagged study, only at or above their own study point. */
  suspected: Record<Subtype, boolean>;
}

/** Decides a study from its aggregated probabilities (no slices scored: never flagged). */
export function decideStudy(probabilities: LabelRecord<number>, inForce: PointsInForce, scoredSlices: number): StudyFlags {
  const flagged = scoredSlices > 0 && probabilities.any >= inForce.points.any.threshold;
  const suspected = Object.fromEntries(
    SUBTYPES.map((l) => {
      const point = inForce.points[l];
      return [l, flagged && point !== undefined && probabilities[l] >= point.threshold];
    }),
  ) as Record<Subtype, boolean>;
  return { flagged, suspected };
}

/** The record a study keeps of the "any" point it was decided by. */
export function studyDecisionOf(inForce: PointsInForce): StudyDecision {
  const subtypeThresholds = Object.fromEntries(SUBTYPES.flatMap((l) => (inForce.points[l] ? [[l, inForce.points[l].threshold]] : [])));
  return { ...inForce.points.any, source: inForce.source, ...(inForce.setBy ? { setBy: inForce.setBy } : {}), subtypeThresholds };
}

/** Reads Study.decisionPoint; null when absent or unreadable (an explanation is then not offered). */
export function parseStudyDecision(text: string | null | undefined): StudyDecision | null {
  if (!text) return null;
  try {
    const parsed = studyDecisionSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const percent = (v: number) => `${Math.round(v * 100)} %`;

/**
 * Why a study is (or is not) flagged, in words, from its "any" probability and the point it was
 * decided by. `full` for the study summary: "any 0.64 ≥ 0.41, the point chosen for 95 % sensitivity
 * on out-of-fold validation (66 patients), where it flagged 38 % of normal studies"; `short` for a
 * worklist row: "any 0.64 ≥ 0.41 (95 % sensitivity point)".
 */
export function flagReason(any: number | null, decision: StudyDecision | null, form: 'full' | 'short' = 'full'): string {
  if (any === null) return 'not scored';
  if (!decision) return `any ${any.toFixed(2)}`;
  const at = any >= decision.threshold;
  // Enough digits that the two numbers never print equal on the wrong side of the sign.
  let digits = 2;
  while (digits < 6 && any !== decision.threshold && any.toFixed(digits) === decision.threshold.toFixed(digits)) digits++;
  const comparison = `any ${any.toFixed(digits)} ${at ? '≥' : '<'} ${decision.threshold.toFixed(digits)}`;
  const whose = decision.source === 'site' ? "this site's point" : decision.source === 'admin' ? `the point ${decision.setBy ?? 'an admin'} set` : 'the point';
  const tag = decision.source === 'site' ? 'site ' : decision.source === 'admin' ? 'admin ' : '';
  if (decision.source === 'slice-level') {
    return form === 'short' ? `${comparison} (slice-level point)` : `${comparison}, the model's slice-level point (its manifest has no study-level point)`;
  }
  if (decision.targetSensitivity === undefined) {
    return form === 'short' ? `${comparison} (${tag}point)` : `${comparison}, ${at ? '' : 'below '}${whose}, without measured figures`;
  }
  const target = `${percent(decision.targetSensitivity)} sensitivity`;
  if (form === 'short') return `${comparison} (${tag}${target} point)`;
  const where = decision.measuredOn ? ` on ${decision.measuredOn}` : '';
  const cost = decision.flaggedNormalFraction !== undefined ? `, where it flagged ${percent(decision.flaggedNormalFraction)} of normal studies` : '';
  return `${comparison}, ${at ? '' : 'below '}${whose} chosen for ${target}${where}${cost}`;
}
