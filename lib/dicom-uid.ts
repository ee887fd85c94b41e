import { z } from 'zod';

/**
 * The one rule for DICOM UIDs, shared by ingest, the file store, HTTP routes, DICOMweb and pages.
 * Isomorphic: no server imports.
 *
 * A conformant UID (PS3.5 9.1) is digits and dots, components without leading zeros, at most 64
 * characters. Real senders break this: the RSNA 2019 challenge files carry `ID_0a1b2c3d4`, and
 * refusing them would quarantine the field's largest public dataset. So a UID is accepted when it
 * is *safe*: letters, digits, `.`, `_`, `-`, at most 64 characters, starting with a letter or digit.
 * Safe is what matters where UIDs become file names and URL segments: no `/` or `\`, no `%` (so
 * no `%2e%2e` decoding into `..`), no `.`/`..` segment and no leading `-` (option injection if a
 * path reaches a command line), nothing a URL must escape. Case is kept: on a case-insensitive
 * file system two UIDs differing only in case would share a file (Linux file systems are not).
 */
export const DICOM_UID_MAX_LENGTH = 64;

const CONFORMANT_UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const SAFE_UID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `pattern` attribute for an HTML input that takes a UID (the browser anchors it itself). */
export const DICOM_UID_INPUT_PATTERN = '[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}';

export type UidKind = 'conformant' | 'non-conformant' | 'unsafe';

/** Whether `value` is a conformant UID, a non-conformant but safe one, or unsafe (refused). */
export function classifyUid(value: string): UidKind {
  if (value.length === 0 || value.length > DICOM_UID_MAX_LENGTH || !SAFE_UID.test(value)) return 'unsafe';
  return CONFORMANT_UID.test(value) ? 'conformant' : 'non-conformant';
}

/** True when `value` may be used as a UID here, and so as a path or URL segment. */
export function isSafeUid(value: string): boolean {
  return classifyUid(value) !== 'unsafe';
}

export const UID_RULE = 'letters, digits, ".", "_" or "-", starting with a letter or digit, at most 64 characters';

/** Zod schema for a UID taken from a URL, query or body: safe, else a 422 naming the rule. */
export const dicomUidSchema = z.string().refine(isSafeUid, { message: `not a DICOM UID (${UID_RULE})` });
