import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { DimseTlsMaterial } from './dimse-server';

/** Where the DICOM TLS listener's PEM files are (from DICOM_TLS_CERT, DICOM_TLS_KEY, DICOM_TLS_CA). */
export interface DimseTlsPaths {
  certPath: string;
  keyPath: string;
  caPath?: string | undefined;
}

/**
 * Reads and checks the TLS files at start-up, so a wrong path, an unreadable key, a file that is
 * not PEM or a key that does not match the certificate stops the server with a message naming the
 * variable, instead of failing at the first association. Returns the material or the problems.
 */
export function readDimseTls(paths: DimseTlsPaths): { material?: DimseTlsMaterial; problems: string[] } {
  const problems: string[] = [];
  const read = (variable: string, path: string): Buffer | undefined => {
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const cert = read('DICOM_TLS_CERT', paths.certPath);
  const key = read('DICOM_TLS_KEY', paths.keyPath);
  const ca = paths.caPath === undefined ? undefined : read('DICOM_TLS_CA', paths.caPath);
  if (!cert || !key || (paths.caPath !== undefined && !ca)) return { problems };
  if (ca) {
    // createSecureContext silently ignores a CA file holding no certificate: every client would then be refused.
    try {
      new X509Certificate(ca);
    } catch {
      problems.push(`DICOM_TLS_CA: ${paths.caPath} holds no PEM certificate`);
      return { problems };
    }
  }
  try {
    // The same call the TLS server makes: it parses each PEM and checks the key matches the certificate.
    createSecureContext({ cert, key, ca });
  } catch (err) {
    problems.push(`DICOM_TLS_CERT/DICOM_TLS_KEY${ca ? '/DICOM_TLS_CA' : ''}: ${(err as Error).message}`);
    return { problems };
  }
  return { material: { cert, key, ca }, problems };
}
