import { AppError } from '@/lib/errors';

/**
 * Parses "AE@host:port" (e.g. "ICHTRIAGE@localhost:11112") into a C-STORE target's called AE title,
 * host and port. Throws AppError VALIDATION_FAILED naming the expected form.
 */
export function parseDimseTarget(text: string): { calledAeTitle: string; host: string; port: number } {
  const m = /^([^@\s\\]{1,16})@(\[[^\]]+\]|[^:@\s]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new AppError('VALIDATION_FAILED', `DICOM target "${text}" must look like AE@host:port (AE title up to 16 characters), e.g. ICHTRIAGE@localhost:11112`);
  }
  return { calledAeTitle: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}
