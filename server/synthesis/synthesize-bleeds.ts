import { SUBTYPES } from '@/lib/labels';
import { createRandom, deriveSeed } from '@/server/phantoms/random';
import type { Subtype } from '@/server/phantoms/types';
import { analyseHeadSlice } from './analyse-head-slice';
import { lesionCrossSection, paintLesions, type CrossSection } from './paint-lesions';
import { planLesion } from './plan-lesion';
import type { HeadSliceAnatomy, HuSlice, LesionPlan, SynthesizedSlice } from './types';

export interface SynthesizeBleedsInput {
  /** The series, ordered by position; all slices share one geometry. */
  slices: readonly HuSlice[];
  /** Each slice's position along the slice normal (mm), ascending. */
  positionsMm: readonly number[];
  subtypes: readonly Subtype[];
  seed: number;
  /** analyseHeadSlice of each slice, when the caller already has it (the demo caches its one scan's). */
  anatomies?: readonly HeadSliceAnatomy[];
}

export interface SynthesizedSeries {
  slices: SynthesizedSlice[];
  /** The lesions placed (a subtype with no place in this series is left out). */
  plans: LesionPlan[];
}

/**
 * Inserts synthetic bleeds of `subtypes` into a real head-CT series: each planned once in 3D
 * (seeded by `seed` and the subtype, so adding a subtype never moves another) and painted into
 * the consecutive slices its extent reaches (at least two), so neighbouring slices agree and the
 * lesion tapers at its ends. A subtype that finds no place in the series is left out of `plans`.
 * Same input → identical output.
 */
export function synthesizeBleeds(input: SynthesizeBleedsInput): SynthesizedSeries {
  if (input.slices.length !== input.positionsMm.length) throw new RangeError('one position per slice');
  const anatomies = input.anatomies ?? input.slices.map(analyseHeadSlice);
  const perSlice: CrossSection[][] = input.slices.map(() => []);
  const plans: LesionPlan[] = [];
  for (const subtype of SUBTYPES.filter((s) => input.subtypes.includes(s))) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const plan = planLesion(subtype, anatomies, input.positionsMm, createRandom(deriveSeed(input.seed, 'lesion', subtype, attempt)));
      if (plan === null) continue;
      const run = contiguousRun(anatomies.map((a, k) => lesionCrossSection(plan, a, input.positionsMm[k]!)));
      if (run.length < 2) continue; // a lesion seen on one slice only would not be consistent in 2.5D
      for (const [k, section] of run) perSlice[k]!.push(section);
      plans.push(plan);
      break;
    }
  }
  const slices = input.slices.map((slice, k) => paintLesions(slice, anatomies[k]!, perSlice[k]!, input.positionsMm[k]!));
  return { slices, plans };
}

/** Tries per subtype before giving up on a series (a plan can land where the anatomy is thin). */
const MAX_ATTEMPTS = 6;

/**
 * The run of consecutive slices with a cross-section around the largest one: sparse anatomy (a
 * sulcus that thins out) can leave a slice empty inside the extent, and a lesion must not skip one.
 */
function contiguousRun(sections: readonly (CrossSection | null)[]): [number, CrossSection][] {
  let widest = -1;
  sections.forEach((s, k) => {
    if (s && (widest < 0 || s.pixels > sections[widest]!.pixels)) widest = k;
  });
  if (widest < 0) return [];
  let lo = widest;
  let hi = widest;
  while (lo > 0 && sections[lo - 1]) lo--;
  while (hi < sections.length - 1 && sections[hi + 1]) hi++;
  const run: [number, CrossSection][] = [];
  for (let k = lo; k <= hi; k++) run.push([k, sections[k]!]);
  return run;
}
