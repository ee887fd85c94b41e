import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Patient identifiers must never be logged: the redact list is a safety net
 * for the header fields that carry them, not a licence to pass headers to the logger.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'ich-triage', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.patientName', '*.patientId', '*.PatientName', '*.PatientID', '*.password', '*.token', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
