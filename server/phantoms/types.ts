import type { Label, LabelRecord } from '@/lib/labels';

/** A hemorrhage subtype: every RSNA label except "any". */
export type Subtype = Exclude<Label, 'any'>;

/**
 * How slices store their values (what real scanners do):
 * - `int16`: signed 16-bit, Rescale Intercept -1024 (GE-like), the default;
 * - `int16-hu`: signed 16-bit, intercept 0, stored value = HU (Toshiba/Canon-like);
 * - `uint12`: unsigned, Bits Stored 12, intercept -1024 (Siemens-like); HU clamped to [-1024, 3071];
 * - `uint12-rsna`: the RSNA 2019 defect (unsigned 12-bit, intercept 0, HU stored modulo 4096) that
 *   the decoder must correct; HU clamped to [-1000, 3095] so the correction is exact.
 */
export type PixelFormat = 'int16' | 'int16-hu' | 'uint12' | 'uint12-rsna';

export interface PhantomOptions {
  /** Everything (anatomy, noise, bleed, UIDs, dates) follows from it; an integer in [0, 2^32). */
  seed: number;
  /** Number of axial slices, 1..512 (default 32). */
  slices?: number;
  /** Rows = columns, 16..1024 (default 512). The field of view stays 240 mm, so smaller is coarser. */
  size?: number;
  /** Slice thickness = spacing between slice centres in mm, 0.5..10 (default 5). */
  sliceThickness?: number;
  /** One subtype, several (a mixed bleed), or none for a normal study (default). */
  hemorrhage?: Subtype | readonly Subtype[] | null;
  /** Default `int16`. */
  pixelFormat?: PixelFormat;
  /** Standard deviation of the image noise in HU, 0..30 (default: seeded, 3–5). */
  noiseSd?: number;
  /** Also return each slice's tissue and blood masks (segmentation ground truth, tests). */
  withMasks?: boolean;
}

/** Tissue classes of the anatomy map (`PhantomSlice.masks.tissue`). */
export const TISSUE = {
  air: 0,
  scalp: 1,
  bone: 2,
  /** Subarachnoid CSF: sulci, fissures, cisterns, the rim under the inner table. */
  csf: 3,
  ventricle: 4,
  grey: 5,
  white: 6,
  deepGrey: 7,
} as const;
export type Tissue = (typeof TISSUE)[keyof typeof TISSUE];

export interface PhantomSliceMasks {
  /** Anatomy before any bleed, one TISSUE value per pixel, row-major (empty for demo studies: a real scan has no tissue map). */
  tissue: Uint8Array;
  /** 0 = no blood, else 1 + the subtype's index in SUBTYPES (1 epidural … 5 subdural). */
  blood: Uint8Array;
}

export interface PhantomSlice {
  sopInstanceUid: string;
  instanceNumber: number;
  /** ImagePositionPatient z in mm; increases with the index (feet → head). */
  z: number;
  /** A complete DICOM Part-10 file, Explicit VR Little Endian. */
  bytes: Uint8Array;
  /** RSNA labels of this slice; `any` is the OR of the subtypes. */
  truth: LabelRecord<0 | 1>;
  /** Blood pixels per subtype on this slice (0 where truth is 0). */
  bloodPixels: Record<Subtype, number>;
  masks?: PhantomSliceMasks;
}

export interface PhantomStudy {
  seed: number;
  patientId: string;
  patientName: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** Ordered by z, ascending. */
  slices: PhantomSlice[];
  /** Study-level labels: the OR over slices. */
  truth: LabelRecord<0 | 1>;
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm. */
  pixelSpacing: [number, number];
  sliceThickness: number;
  pixelFormat: PixelFormat;
}
