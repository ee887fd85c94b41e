import type { Label } from '@/lib/labels';

/** A stored image the result refers to. */
export interface ImageRef {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

/** A study's AI result, everything the SR (and the secondary capture) says, read from the database. */
export interface IchResult {
  studyInstanceUid: string;
  /**
   * Patient and study attributes copied from a stored instance of the study (dcmjs keyword →
   * naturalized value), so the PACS files the result with the images it belongs to.
   */
  patientStudy: Record<string, unknown>;
  algorithm: { name: string; version: string };
  /** The study-level "any" finding. */
  finding: {
    probability: number;
    /** The study-level point it was decided by, and where that point comes from (manifest, site, admin). */
    threshold: number;
    pointSource: string;
    /** The sensitivity the point was chosen for, when known (0..1). */
    targetSensitivity?: number | undefined;
    flagged: boolean;
  };
  /** Subtypes shown as suspected (only on a flagged study, at or above their own point). */
  suspected: { label: Exclude<Label, 'any'>; probability: number; threshold: number }[];
  /** The most suspicious slice per reported label ("any" first). */
  keySlices: (ImageRef & { label: Label })[];
  /** Every instance the result was computed from (the chosen series). */
  evidence: ImageRef[];
  /** When the study was decided (SR content date and time). */
  decidedAt: Date;
  /** Why this result went out, when it replaces an earlier one (re-analysis, clinician disagreement). */
  reason?: string | undefined;
}

/** The UIDs a result document is written under, and the earlier document it supersedes. */
export interface ResultDocumentIds {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** 1 for a study's first result, then +1 per update. */
  instanceNumber: number;
  predecessor?: ImageRef | undefined;
}
