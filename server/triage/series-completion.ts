import { orderSeries, POSITION_TOLERANCE_MM } from '@/server/dicom/order-series';

/** One received slice as the database records it (Instance.slicePosition, Instance.brainAreaMm2). */
export interface CompletionSlice {
  /** mm along the slice normal; null when the header had no usable geometry. */
  position: number | null;
  /** Soft tissue inside the skull, mm² (server/dicom/intracranial-content.ts); null until decoded, or when decoding failed. */
  brainAreaMm2: number | null;
}

export type HeadCoverage =
  | { covers: true; reason: string }
  | {
      covers: false;
      /**
       * UNKNOWN: not every slice is placed and measured (cannot judge). The others are definite:
       * TOO_FEW slices, a GAP, NO_BRAIN in the middle, or an END_CUT through the brain.
       */
      code: 'UNKNOWN' | 'TOO_FEW' | 'GAP' | 'NO_BRAIN' | 'END_CUT';
      reason: string;
    };

/** Fewer distinct positions than this cannot be a head from skull base to vertex. */
const MIN_SLICES = 3;
/** The widest slice through the head shows at least this much brain (an adult ~180 cm², a newborn ~90 cm²). */
const MIN_PEAK_MM2 = 5000;
/**
 * The slice at the vertex end shows at most this fraction of the widest slice's brain. The GE
 * head CT: 0 % on its last slice, 5 % one slice below (the vertex), 21 % two below.
 */
const VERTEX_MAX_FRACTION = 0.1;
/**
 * Within BASE_WINDOW_MM of the skull-base end, no slice shows more than this fraction of the
 * widest: the posterior fossa is small. The GE head CT: 14 % over its lowest 10 mm; 29 % once its
 * 4 lowest slices are gone, 39 % once 5 are (the cut then runs through the temporal lobes).
 */
const BASE_MAX_FRACTION = 0.25;
const BASE_WINDOW_MM = 10;

// orderSeries works on ImagePositionPatient; a stored position is already along the normal, so it
// is the z of an axial slice. This reuses its duplicate and local-gap rules (a step 1.5 x its
// neighbours' is a gap, so the GE series' 4 mm → 7 mm change is not one) instead of a copy.
const AXIAL: [number, number, number, number, number, number] = [1, 0, 0, 0, 1, 0];

/**
 * Says whether one series' slices cover a head from the skull base to the vertex: every slice placed
 * and measured, contiguous (no gap), brain in the middle, and the brain-area profile small at both
 * ends — near zero at the vertex, only the posterior fossa at the base. Pure; judged on positions
 * and areas alone, so the sign of the stored position (row × column, which flips with the
 * orientation's handedness and is not kept) does not matter: either end may be the vertex.
 */
export function judgeHeadCoverage(slices: readonly CompletionSlice[]): HeadCoverage {
  const unplaced = slices.filter((s) => s.position === null || !Number.isFinite(s.position)).length;
  const unmeasured = slices.filter((s) => s.brainAreaMm2 === null).length;
  if (unplaced > 0) return { covers: false, code: 'UNKNOWN', reason: `${unplaced} of ${slices.length} slice(s) have no position` };
  if (unmeasured > 0) return { covers: false, code: 'UNKNOWN', reason: `${unmeasured} of ${slices.length} slice(s) not measured yet (or not decodable)` };

  const positions = slices.map((s) => s.position!).sort((a, b) => a - b);
  const distinct = positions.filter((p, i) => i === 0 || p - positions[i - 1]! > POSITION_TOLERANCE_MM).length;
  if (distinct < MIN_SLICES) return { covers: false, code: 'TOO_FEW', reason: `${distinct} distinct slice position(s): too few for a head` };

  const ordered = orderSeries(
    slices.map((s, i) => ({ sopInstanceUid: String(i), imagePositionPatient: [0, 0, s.position!] as [number, number, number], imageOrientationPatient: AXIAL })),
  );
  const profile = ordered.ordered.map((o) => ({ position: o.position, area: slices[o.inputIndex]!.brainAreaMm2! }));
  const gap = ordered.gaps[0];
  if (gap) {
    return {
      covers: false,
      code: 'GAP',
      reason: `a ${round1(gap.spacing)} mm gap after slice ${gap.afterIndex + 1} where neighbours are ${round1(gap.expectedSpacing)} mm apart (about ${gap.missingSlices} slice(s) missing)`,
    };
  }
  const peak = Math.max(...profile.map((p) => p.area));
  if (peak < MIN_PEAK_MM2) return { covers: false, code: 'NO_BRAIN', reason: `the widest slice shows ${cm2(peak)} cm² of brain (a head shows over ${cm2(MIN_PEAK_MM2)})` };

  const low = endFacts(profile, peak, 'low');
  const high = endFacts(profile, peak, 'high');
  // The usual orientation (positions rising head-wards) first, so a cut is named by its usual end.
  const upright = low.baseOk && high.vertexOk;
  if (upright || (high.baseOk && low.vertexOk)) {
    const [base, vertex] = upright ? [low, high] : [high, low];
    return {
      covers: true,
      reason: `${profile.length} contiguous slices from the skull base (${pct(base.windowFraction)} of the widest slice's brain) to the vertex (${pct(vertex.endFraction)})`,
    };
  }
  const cut = !high.vertexOk ? `the top slice still shows ${pct(high.endFraction)} of the widest slice's brain (not at the vertex)` : `the lowest ${BASE_WINDOW_MM} mm still show ${pct(low.windowFraction)} of the widest slice's brain (not at the skull base)`;
  return { covers: false, code: 'END_CUT', reason: cut };
}

interface EndFacts {
  /** Brain on the end slice, as a fraction of the peak. */
  endFraction: number;
  /** Most brain within BASE_WINDOW_MM of the end, as a fraction of the peak. */
  windowFraction: number;
  vertexOk: boolean;
  baseOk: boolean;
}

function endFacts(profile: readonly { position: number; area: number }[], peak: number, end: 'low' | 'high'): EndFacts {
  const edge = end === 'low' ? profile[0]! : profile[profile.length - 1]!;
  const near = profile.filter((p) => Math.abs(p.position - edge.position) <= BASE_WINDOW_MM);
  const endFraction = edge.area / peak;
  const windowFraction = Math.max(...near.map((p) => p.area)) / peak;
  return { endFraction, windowFraction, vertexOk: endFraction <= VERTEX_MAX_FRACTION, baseOk: windowFraction <= BASE_MAX_FRACTION };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const cm2 = (mm2: number) => Math.round(mm2 / 100);
const pct = (f: number) => `${Math.round(f * 100)} %`;
