import path from 'node:path';
import { z } from 'zod';

/** Where the audit journal's anchor lives, from AUDIT_ENV. */
export type AuditSettings = {
  /** The Ed25519 private key that signs checkpoints (generated on first start when absent). */
  signingKeyPath: string;
  /** The append-only file of signed checkpoints (JSON lines), in DATA_DIR. */
  checkpointFile: string;
  checkpointIntervalMs: number;
};

/** AUDIT_SIGNING_KEY and AUDIT_CHECKPOINT_INTERVAL_S, merged into the server's environment schema (server/config). */
export const AUDIT_ENV = {
  /** Path of the Ed25519 key that signs audit checkpoints; unset: DATA_DIR/audit-signing-key.pem. Outside the database by design. */
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  /** Seconds between signed checkpoints of the audit journal's head (written only when it grew). */
  AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().min(0.1).max(86_400).default(60),
};

type AuditEnv = z.output<z.ZodObject<typeof AUDIT_ENV>>;

/** The checkpoint file's name in DATA_DIR. */
export const AUDIT_CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/** The audit anchor's settings; `dataDir` already resolved. */
export function readAuditSettings(e: AuditEnv, dataDir: string): AuditSettings {
  return {
    signingKeyPath: path.resolve(e.AUDIT_SIGNING_KEY ?? path.join(dataDir, 'audit-signing-key.pem')),
    checkpointFile: path.join(dataDir, AUDIT_CHECKPOINT_FILE),
    checkpointIntervalMs: Math.round(e.AUDIT_CHECKPOINT_INTERVAL_S * 1000),
  };
}
