/**
 * The one error type of the project: a closed set of codes, each with an HTTP status, so every
 * boundary (HTTP, sockets, DICOM, CLI) reports failures the same way. Isomorphic: no server imports.
 */
export const ERROR_STATUS = {
  // Input validation and routing
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  /** Signed in with a one-time or expired password: only the password change is allowed. */
  PASSWORD_CHANGE_REQUIRED: 403,
  /** Too many attempts (login throttling). */
  RATE_LIMITED: 429,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
  /** The request body is over the route's limit; refused before it was read to the end. */
  BODY_TOO_LARGE: 413,
  /** The server is still starting (or Next runs without the custom server): try again shortly. */
  SERVER_STARTING: 503,
  /** The Host header names none of ALLOWED_HOSTS (DNS rebinding defence). */
  HOST_NOT_ALLOWED: 421,
  // DICOM problems: each names exactly what is wrong with the file.
  DICOM_NOT_DICOM: 422,
  DICOM_TRUNCATED: 422,
  DICOM_MISSING_ATTRIBUTE: 422,
  DICOM_MISSING_PIXEL_DATA: 422,
  DICOM_NOT_CT: 422,
  DICOM_UNSUPPORTED_TRANSFER_SYNTAX: 422,
  DICOM_UNSUPPORTED_PIXEL_FORMAT: 422,
  DICOM_ABSURD_DIMENSIONS: 422,
  DICOM_PIXEL_DATA_SHORT: 422,
  DICOM_DECODE_FAILED: 422,
  /** The decoder ran past DECODE_TIMEOUT_MS on this file (e.g. a stuck JPEG 2000 codec) and was stopped. */
  DICOM_DECODE_TIMEOUT: 422,
  /** The decode worker died on this file (e.g. a codec aborted); a fresh worker took its place. */
  DICOM_DECODER_CRASHED: 422,
  DICOM_LOCALIZER: 422,
  DICOM_NOT_AXIAL: 422,
  DICOM_INVALID_UID: 422,
  /** A SOP Instance UID already stored re-sent under another study, series or patient, or with other pixels. */
  DICOM_SOP_UID_CONFLICT: 409,
  // Series problems: the slices are readable but do not form one usable axial stack.
  SERIES_EMPTY: 422,
  SERIES_INCONSISTENT: 422,
  SERIES_MISSING_GEOMETRY: 422,
  SERIES_MIXED_ORIENTATION: 422,
  SERIES_NOT_AXIAL: 422,
  SERIES_LOCALIZER: 422,
  SERIES_NOT_HEAD: 422,
  SERIES_NO_BRAIN: 422,
  // Model contract
  MODEL_MANIFEST_INVALID: 500,
  MODEL_CHECKSUM_MISMATCH: 500,
  MODEL_LOAD_FAILED: 500,
  INFERENCE_BAD_INPUT: 422,
  INFERENCE_FAILED: 500,
  // DICOM networking as a sender (demo scanner, simulate): the peer, not the input, failed.
  DIMSE_CONNECTION_FAILED: 502,
  DIMSE_ASSOCIATION_REJECTED: 502,
  DIMSE_SEND_FAILED: 502,
  // Database
  DB_MIGRATION_FAILED: 500,
  /** The migration history needs a person: a migration that failed under `prisma migrate deploy`. */
  DB_MIGRATION_BLOCKED: 500,
  // Clinical workflow
  /** The action does not fit the study's current state (e.g. acknowledging a reported study). */
  STUDY_ACTION_CONFLICT: 409,
  // Study view
  /** The slice is known but its file cannot be decoded; the decoder's own DICOM_* code rides along. */
  SLICE_NOT_DECODED: 409,
  STUDY_FILES_PURGED: 410,
  // Uploads (POST /api/upload): the request, or one file or zip entry in it, was refused unread.
  UPLOAD_TOO_LARGE: 413,
  UPLOAD_TOO_MANY_FILES: 413,
  UPLOAD_ZIP_BOMB: 422,
  UPLOAD_UNSAFE_NAME: 422,
  UPLOAD_NESTED_ZIP: 422,
  UPLOAD_BAD_ZIP: 422,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Any failure the project reports on purpose; `details` must never carry patient identifiers. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The JSON shape every API and CLI prints for an error. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True when `err` is an AppError, optionally with the given code. */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
