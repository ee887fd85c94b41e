// The public surface of the bleed synthesis: hemorrhage of each subtype painted into real head-CT
// slices, in the place and shape it takes, with a per-pixel mask (the demo's ground truth).
export { analyseHeadSlice } from './analyse-head-slice';
export { planLesion } from './plan-lesion';
export { lesionCrossSection, paintLesions, BLOOD_HU_RANGE, MIN_LESION_AREA_MM2, MIN_PAINT_AREA_MM2, type CrossSection } from './paint-lesions';
export { synthesizeBleeds, type SynthesizeBleedsInput, type SynthesizedSeries } from './synthesize-bleeds';
export type { HeadSliceAnatomy, HuSlice, LesionPlan, SynthesizedSlice } from './types';
