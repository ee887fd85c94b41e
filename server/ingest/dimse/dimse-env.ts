import { resolve } from 'node:path';
import { z } from 'zod';
import { readDimseTls, type DimseTlsPaths } from './read-dimse-tls';

/** The DICOM TLS listener's settings; undefined config.dicom.tls means no TLS listener. */
export type DimseTlsSettings = DimseTlsPaths & { port: number };

const listenPort = z.coerce.number().int().min(1).max(65535);

/** DICOM listener variables, merged into the server's environment schema (server/config). */
export const DIMSE_ENV = {
  /** The plain DICOM listener; `off` (or 0) turns it off, e.g. when only TLS may be used. */
  DICOM_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)])
    .default(11112)
    .transform((v) => (v === 'off' || v === 0 ? undefined : v)),
  /** DICOM over TLS (PS3.15 B.1, usually 2762); needs DICOM_TLS_CERT and DICOM_TLS_KEY. */
  DICOM_TLS_PORT: listenPort.optional(),
  DICOM_TLS_CERT: z.string().min(1).optional(),
  DICOM_TLS_KEY: z.string().min(1).optional(),
  /** CA certificate(s), PEM: when set, a sender must present a client certificate it signed. */
  DICOM_TLS_CA: z.string().min(1).optional(),
};

type DimseEnv = z.output<z.ZodObject<typeof DIMSE_ENV>> & { DEMO_SCANNER: boolean };

/**
 * The listeners' settings, or the problems (`VARIABLE: what is wrong`) that stop the server. The
 * TLS files are read and checked now (readable, PEM, key matching certificate), not at the first
 * association.
 */
export function readDimseSettings(e: DimseEnv): { port: number | undefined; tls: DimseTlsSettings | undefined; problems: string[] } {
  const problems: string[] = [];
  // The demo scanner sends plain C-STORE to our own plain listener.
  if (e.DICOM_PORT === undefined && e.DEMO_SCANNER) problems.push('DICOM_PORT: the demo scanner needs the plain listener (set DEMO_SCANNER=off to turn DICOM_PORT off)');
  if (e.DICOM_TLS_PORT === undefined) {
    const stray = (['DICOM_TLS_CERT', 'DICOM_TLS_KEY', 'DICOM_TLS_CA'] as const).filter((k) => e[k] !== undefined);
    if (stray.length > 0) problems.push(`DICOM_TLS_PORT: required when ${stray.join(', ')} is set`);
    return { port: e.DICOM_PORT, tls: undefined, problems };
  }
  if (!e.DICOM_TLS_CERT) problems.push('DICOM_TLS_CERT: required with DICOM_TLS_PORT (PEM certificate)');
  if (!e.DICOM_TLS_KEY) problems.push('DICOM_TLS_KEY: required with DICOM_TLS_PORT (PEM private key, unencrypted)');
  if (e.DICOM_TLS_PORT === e.DICOM_PORT) problems.push('DICOM_TLS_PORT: must differ from DICOM_PORT');
  if (!e.DICOM_TLS_CERT || !e.DICOM_TLS_KEY) return { port: e.DICOM_PORT, tls: undefined, problems };
  const tls: DimseTlsSettings = {
    port: e.DICOM_TLS_PORT,
    certPath: resolve(e.DICOM_TLS_CERT),
    keyPath: resolve(e.DICOM_TLS_KEY),
    caPath: e.DICOM_TLS_CA === undefined ? undefined : resolve(e.DICOM_TLS_CA),
  };
  problems.push(...readDimseTls(tls).problems);
  return { port: e.DICOM_PORT, tls, problems };
}
