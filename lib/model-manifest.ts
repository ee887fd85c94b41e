import { z } from 'zod';
import { LABELS, SUBTYPES, type Label } from './labels';
import { AGGREGATIONS } from './study-aggregation';

/**
 * The contract between a trained model and the pipeline that feeds it. Preprocessing reads its
 * windows, input size and normalisation from here, never from constants, so a new model with a
 * different input only needs a new manifest.
 */
export const windowSchema = z.object({
  name: z.string().min(1),
  /** Window level (centre) in HU. */
  center: z.number(),
  /** Window width in HU; must be positive. */
  width: z.number().positive(),
  /**
   * Which slice of the series this channel reads, relative to the slice being classified (2.5D
   * input): 0 (the default when absent) is the slice itself, -1 the previous and +1 the next slice
   * in the series' sorted order. Where that neighbour does not exist (either end of the series),
   * the slice itself is used.
   */
  sliceOffset: z.number().int().min(-8).max(8).optional(),
});
export type WindowSpec = z.infer<typeof windowSchema>;

export const preprocessSchema = z.object({
  /** One window per input channel, in channel order. */
  windows: z.array(windowSchema).min(1).max(16),
  /** Square or rectangular model input, in pixels. */
  inputSize: z.object({ height: z.number().int().min(8).max(2048), width: z.number().int().min(8).max(2048) }),
  /** How the source slice is resampled to inputSize. */
  resize: z.enum(['area', 'bilinear']),
  /** Applied after windowing to [0,1]: (x - mean) / std per channel. Identity when mean 0, std 1. */
  normalisation: z.object({
    mean: z.array(z.number()),
    std: z.array(z.number().positive()),
  }),
});
export type PreprocessSpec = z.infer<typeof preprocessSchema>;

export const labelOrderSchema = z
  .array(z.enum(LABELS))
  .refine((order) => order.length === LABELS.length && order.every((l, i) => l === LABELS[i]), {
    message: `label order must be exactly ${LABELS.join(', ')}`,
  });

/** Checks that normalisation has one entry per window. */
export function assertPreprocessConsistent(spec: PreprocessSpec): void {
  const n = spec.windows.length;
  if (spec.normalisation.mean.length !== n || spec.normalisation.std.length !== n) {
    throw new Error(`normalisation needs ${n} mean/std values, one per window`);
  }
}

/** The default preprocessing the project's models use: brain, subdural and bone windows. */
export const DEFAULT_PREPROCESS: PreprocessSpec = {
  windows: [
    { name: 'brain', center: 40, width: 80 },
    { name: 'subdural', center: 80, width: 200 },
    { name: 'bone', center: 600, width: 2800 },
  ],
  inputSize: { height: 256, width: 256 },
  resize: 'area',
  normalisation: { mean: [0, 0, 0], std: [1, 1, 1] },
};

/** A per-label decision threshold, with the validation figures it was chosen from. */
export const operatingPointSchema = z.object({
  threshold: z.number().min(0).max(1),
  /** Validation sensitivity/specificity at this threshold, when measured. */
  sensitivity: z.number().min(0).max(1).optional(),
  specificity: z.number().min(0).max(1).optional(),
});
export type OperatingPoint = z.infer<typeof operatingPointSchema>;

const unitInterval = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([lo, hi]) => lo <= hi, { message: 'interval must be [low, high]' });

/**
 * A study-level decision threshold (the study is flagged when its aggregated probability is at or
 * above it), chosen on patient-level out-of-fold scores for a target study sensitivity, with the
 * figures measured there. Intervals: percentile bootstrap over patients (2000 resamples, seeded).
 */
export const studyOperatingPointSchema = z.object({
  threshold: z.number().min(0).max(1),
  /** The study sensitivity the threshold was chosen for (the largest threshold reaching it). */
  targetSensitivity: z.number().min(0).max(1),
  sensitivity: z.number().min(0).max(1),
  specificity: z.number().min(0).max(1),
  /** Studies with and without this label that the figures were measured on. */
  positives: z.number().int().min(1),
  negatives: z.number().int().min(1),
  sensitivityCi: unitInterval,
  specificityCi: unitInterval,
  /** Fraction of studies without any bleed that this point flags (what a reader pays for it). */
  flaggedNormalFraction: z.number().min(0).max(1),
  /** Where it was measured, in words: "5-fold patient-level out-of-fold, CT-ICH 66 patients". */
  measuredOn: z.string().min(1),
});
export type StudyOperatingPoint = z.infer<typeof studyOperatingPointSchema>;

/** Study-level points per label: "any" decides the flag; a subtype without one is never suspected. */
export const studyOperatingPointsSchema = z.object({
  any: studyOperatingPointSchema,
  ...(Object.fromEntries(SUBTYPES.map((l) => [l, studyOperatingPointSchema.optional()])) as Record<
    Exclude<Label, 'any'>,
    z.ZodOptional<typeof studyOperatingPointSchema>
  >),
});
export type StudyOperatingPoints = z.infer<typeof studyOperatingPointsSchema>;

/** The manifest that ships beside every model file (`models/<name>-<version>.json`). */
export const modelManifestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version x.y.z'),
  /** The ONNX file, relative to the manifest. */
  file: z.string().regex(/^[^/\\]+\.onnx$/, 'a file name beside the manifest'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  description: z.string().optional(),
  input: z.object({ name: z.string().min(1) }),
  outputs: z.object({ probabilities: z.string().min(1), cam: z.string().min(1).optional() }),
  labels: labelOrderSchema,
  preprocess: preprocessSchema,
  operatingPoints: z.object(Object.fromEntries(LABELS.map((l) => [l, operatingPointSchema])) as Record<(typeof LABELS)[number], typeof operatingPointSchema>),
  /** How study probabilities are made from slice probabilities, chosen by measured study-level AUC. */
  studyAggregation: z.enum(AGGREGATIONS).optional(),
  /**
   * Study-level decision points (`npm run model:study-points`): these flag a study. The slice-level
   * `operatingPoints` only highlight slices in the chart and viewer.
   */
  studyOperatingPoints: studyOperatingPointsSchema.optional(),
  /**
   * What the model may be used for. `research` (and absence: no model here has been cleared for
   * clinical use) puts a "research model — not for clinical use" badge in every page's header.
   */
  intendedUse: z.enum(['research', 'clinical']).optional(),
  /** Free-form provenance: data, recipe, metrics. */
  training: z.record(z.string(), z.unknown()).optional(),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;
