import type { Random } from './random';

/**
 * The seeded anatomy of one phantom head, in millimetres. Axes follow DICOM patient coordinates
 * (LPS): +x towards the patient's left, +y posterior, +z head-wards. Offsets are relative to the
 * head's centre; `zRel` is height above the level of the lateral ventricles' bodies.
 */
export interface HeadModel {
  /** Head centre relative to the image centre (mm). */
  centreX: number;
  centreY: number;
  /** Outer-skull semi-axes at the widest level: left-right and antero-posterior (mm). */
  semiX: number;
  semiY: number;
  /** Outline harmonics (relative amplitude, order, phase) so no two heads are perfect ellipses. */
  outline: readonly Harmonic[];
  /** Mean skull thickness and its variation around the head. */
  boneThickness: number;
  thicknessHarmonics: readonly Harmonic[];
  scalpThickness: number;
  /** CSF rim between the inner table and the brain surface (mm; wider with atrophy). */
  csfRim: number;
  zWidest: number;
  zVertex: number;
  zBase: number;
  /** Lateral ventricle size factor (young ~0.8, atrophic ~1.3). */
  ventricleScale: number;
  sulcusCount: number;
  sulcusWobble: number;
  sulcusPhase: number;
  sulcusWidth: number;
  /** Depth of each sulcus (mm), indexed by sulcus number modulo its length. */
  sulcusDepths: Float32Array;
  cortexThickness: number;
  hu: {
    cortical: number;
    diploe: number;
    grey: number;
    white: number;
    deepGrey: number;
    csf: number;
    ventricle: number;
  };
  noiseSd: number;
}

export interface Harmonic {
  amplitude: number;
  order: number;
  phase: number;
}

/** Draws one head from `rng`; the ranges are those of adult head CT. */
export function createHeadModel(rng: Random): HeadModel {
  const harmonic = (order: number, max: number): Harmonic => ({ amplitude: rng.uniform(0, max), order, phase: rng.uniform(0, 2 * Math.PI) });
  const sulcusDepths = new Float32Array(128);
  for (let i = 0; i < sulcusDepths.length; i++) sulcusDepths[i] = rng.uniform(7, 17);
  const atrophy = rng.uniform(0, 1);
  const grey = rng.uniform(37, 41);
  return {
    centreX: rng.uniform(-4, 4),
    centreY: rng.uniform(-6, 6),
    semiX: rng.uniform(66, 74),
    semiY: rng.uniform(84, 94),
    // Order 1 along +y makes the occiput a little fuller than the forehead, as in real skulls.
    outline: [{ amplitude: rng.uniform(0.015, 0.035), order: 1, phase: -Math.PI / 2 }, harmonic(2, 0.02), harmonic(3, 0.015), harmonic(5, 0.008)],
    boneThickness: rng.uniform(5.5, 7.5),
    // Fixed cos(2θ) with negative amplitude: the temporal squama (θ = 0, π) is thinner.
    thicknessHarmonics: [{ amplitude: -0.18, order: 2, phase: rng.uniform(-0.2, 0.2) }, harmonic(3, 0.1), harmonic(7, 0.06)],
    scalpThickness: rng.uniform(4, 6.5),
    csfRim: 0.6 + 1.2 * atrophy,
    zWidest: rng.uniform(4, 12),
    zVertex: rng.uniform(82, 90),
    zBase: rng.uniform(-110, -95),
    ventricleScale: 0.8 + 0.5 * atrophy,
    sulcusCount: rng.int(34, 42),
    sulcusWobble: rng.uniform(0.5, 1.5),
    sulcusPhase: rng.uniform(0, 2 * Math.PI),
    sulcusWidth: 0.9 + 1.0 * atrophy,
    sulcusDepths,
    cortexThickness: rng.uniform(2.5, 3.5),
    hu: {
      cortical: rng.uniform(1350, 1650),
      diploe: rng.uniform(850, 1050),
      grey,
      white: grey - rng.uniform(8, 11),
      deepGrey: grey - rng.uniform(1, 3),
      csf: rng.uniform(4, 11),
      ventricle: rng.uniform(3, 9),
    },
    noiseSd: rng.uniform(3, 5),
  };
}

/** Size of the head's cross-section at `zRel` relative to the widest level: 1 there, 0 above the vertex. */
export function headScale(model: HeadModel, zRel: number): number {
  const f = zRel >= model.zWidest ? (zRel - model.zWidest) / (model.zVertex - model.zWidest) : (model.zWidest - zRel) / (model.zWidest - model.zBase);
  return f >= 1 ? 0 : Math.sqrt(1 - f * f);
}

/** 1 + Σ a·cos(kθ + φ). */
export function harmonicFactor(harmonics: readonly Harmonic[], theta: number): number {
  let f = 1;
  for (const h of harmonics) f += h.amplitude * Math.cos(h.order * theta + h.phase);
  return f;
}
