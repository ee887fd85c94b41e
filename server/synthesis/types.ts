import type { Subtype } from '@/server/phantoms/types';

/** One axial slice in Hounsfield units, row-major (`rows` x `columns`). Never written into. */
export interface HuSlice {
  hu: Float32Array | Int16Array;
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm. */
  pixelSpacing: readonly [number, number];
}

/** What analyseHeadSlice read from one slice's HU: where the brain, inner table and CSF are. */
export interface HeadSliceAnatomy {
  rows: number;
  columns: number;
  /** Mean pixel size (mm). */
  pixelMm: number;
  /** 1 = soft tissue enclosed by the skull (brain, CSF, blood): the largest such region. */
  intracranial: Uint8Array;
  /** Distance (mm) from each intracranial pixel to the nearest pixel outside it (0 outside). */
  tableDistanceMm: Float32Array;
  /** Area of `intracranial` in mm². */
  areaMm2: number;
  /** Centroid of `intracranial` (pixel column, row). */
  centreX: number;
  centreY: number;
  /** Per degree around the centroid: distance (px) to the intracranial edge, and whether bone lies just beyond it. */
  rimRadius: Float32Array;
  rimIsBone: Uint8Array;
  /** 1 = CSF density (smoothed 0–15 HU) deep and near the midline: the ventricles. */
  ventricles: Uint8Array;
  ventricleAreaMm2: number;
  /** 1 = CSF density outside the ventricles: sulci, fissures, cisterns. */
  cisternCsf: Uint8Array;
  /** 1 = brain parenchyma (smoothed 20–45 HU) at least 10 mm under the inner table, not ventricle. */
  parenchyma: Uint8Array;
}

/** A bleed planned in 3D: its cross-section on each slice follows from these and the slice's position. */
export interface LesionPlan {
  subtype: Subtype;
  /** Position (mm along the slice normal) of the lesion's widest cross-section, and its half-extent there. */
  centreMm: number;
  halfExtentMm: number;
  /** Mean blood HU (50–90 before texture). */
  bloodHu: number;
  /** Seed of the lesion's texture (the same lesion gets the same texture on a rerun). */
  textureSeed: number;
  /** Angle (radians, image frame, 0 = +column, π/2 = +row) of the lesion's middle around the brain centroid (epidural, subdural, subarachnoid sector). */
  angle: number;
  /** Half-length along the inner table (mm) and maximum thickness (mm) of an epidural or subdural; sector half-width (rad) of a subarachnoid. */
  halfLengthMm: number;
  thicknessMm: number;
  sectorHalfWidth: number;
  /** Subarachnoid: 'sulci' (a sector of the convexity) or 'cisterns' (CSF around the centroid). */
  sahMode: 'sulci' | 'cisterns';
  /** Intraparenchymal: centre (column, row), radius (mm), shape harmonics and oedema rim (mm). */
  centreX: number;
  centreY: number;
  radiusMm: number;
  harmonics: readonly { k: number; amplitude: number; phase: number }[];
  edemaMm: number;
  /** Intraventricular: share of each ventricle filled from its dependent (posterior) side at the centre slice; 1 = a cast. */
  fillShare: number;
}

/** One slice after synthesis. */
export interface SynthesizedSlice {
  hu: Float32Array;
  /** 0 = no blood, else 1 + the subtype's index in SUBTYPES. */
  blood: Uint8Array;
  /** 1 where any value changed (blood, its partial-volume fringe, oedema); outside it `hu` equals the input bit for bit. */
  changed: Uint8Array;
  /** Blood pixels per subtype on this slice. */
  bloodPixels: Record<Subtype, number>;
}
