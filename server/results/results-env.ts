import { z } from 'zod';
import { parseDimseTarget } from '@/server/demo/parse-dimse-target';
import type { ResultsTargets } from './send-dicom-result';

/** Where AI results go as DICOM, merged into the server's environment schema (server/config). */
export const RESULTS_ENV = {
  /** C-STORE the result SR to this PACS, "AE@host:port" (e.g. PACS@pacs.hospital.lan:104); unset: no C-STORE. */
  RESULTS_DICOM_TARGET: z.string().min(1).optional(),
  /** STOW-RS endpoint the result SR is POSTed to, e.g. http://orthanc:8042/dicom-web/studies; unset: no STOW-RS. */
  RESULTS_STOW_URL: z
    .string()
    .refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'an http(s) URL such as https://pacs.hospital.lan/dicom-web/studies')
    .optional(),
  /** Bearer token for RESULTS_STOW_URL (optional). */
  RESULTS_STOW_TOKEN: z.string().min(1).optional(),
  /** Send the key slice as a Secondary Capture (overlay and research label burned in) with the SR. */
  RESULTS_SECONDARY_CAPTURE: z.enum(['on', 'off']).default('on'),
};

type ResultsEnv = { [K in keyof typeof RESULTS_ENV]?: z.infer<(typeof RESULTS_ENV)[K]> | undefined };

/**
 * The results targets (undefined: results are not sent), and what is wrong with the variables.
 * `aeTitle` is our own (DICOM_AE_TITLE): the calling AE title of the C-STORE.
 */
export function readResultsSettings(e: ResultsEnv, aeTitle: string): { results: ResultsTargets | undefined; problems: string[] } {
  const problems: string[] = [];
  let dimse: ResultsTargets['dimse'];
  if (e.RESULTS_DICOM_TARGET) {
    try {
      dimse = { ...parseDimseTarget(e.RESULTS_DICOM_TARGET), callingAeTitle: aeTitle };
    } catch (err) {
      problems.push(`RESULTS_DICOM_TARGET: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (e.RESULTS_STOW_TOKEN && !e.RESULTS_STOW_URL) problems.push('RESULTS_STOW_TOKEN: set without RESULTS_STOW_URL');
  const stow = e.RESULTS_STOW_URL ? { url: e.RESULTS_STOW_URL, ...(e.RESULTS_STOW_TOKEN ? { token: e.RESULTS_STOW_TOKEN } : {}) } : undefined;
  return { results: dimse || stow ? { dimse, stow, secondaryCapture: e.RESULTS_SECONDARY_CAPTURE !== 'off' } : undefined, problems };
}
