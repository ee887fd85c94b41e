import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/server/config';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe('DICOM listener configuration', () => {
  it('plain listener on 11112 by default, off with DICOM_PORT=off or 0 (demo scanner off), no TLS', () => {
    expect(loadConfig({}).dicom).toMatchObject({ port: 11112, tls: undefined });
    expect(loadConfig({ DICOM_PORT: 'off', DEMO_SCANNER: 'off' }).dicom.port).toBeUndefined();
    expect(loadConfig({ DICOM_PORT: '0', DEMO_SCANNER: 'off' }).dicom.port).toBeUndefined();
    expect(() => loadConfig({ DICOM_PORT: 'off' })).toThrow(/DICOM_PORT: the demo scanner needs the plain listener/);
    expect(() => loadConfig({ DICOM_PORT: 'no' })).toThrow(/DICOM_PORT/);
  });

  it('names what TLS is missing', () => {
    expect(() => loadConfig({ DICOM_TLS_PORT: '2762' })).toThrow(/DICOM_TLS_CERT: required.*DICOM_TLS_KEY: required/);
    expect(() => loadConfig({ DICOM_TLS_CERT: '/x.pem', DICOM_TLS_CA: '/ca.pem' })).toThrow(/DICOM_TLS_PORT: required when DICOM_TLS_CERT, DICOM_TLS_CA is set/);
    expect(() => loadConfig({ DICOM_TLS_PORT: '2762', DICOM_TLS_CERT: '/nonexistent/c.pem', DICOM_TLS_KEY: '/nonexistent/k.pem' })).toThrow(
      /DICOM_TLS_CERT: cannot read \/nonexistent\/c.pem \(ENOENT\); DICOM_TLS_KEY: cannot read/,
    );
    expect(() => loadConfig({ DICOM_TLS_PORT: '11112', DICOM_TLS_CERT: '/c', DICOM_TLS_KEY: '/k' })).toThrow(/DICOM_TLS_PORT: must differ from DICOM_PORT/);
  });

  describe.skipIf(!hasOpenssl)('with real files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dimse-env-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const pair = (name: string) =>
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`], { cwd: dir, stdio: 'ignore' });

    it('reads a valid pair, with or without CA, and refuses a mismatched key', () => {
      pair('a');
      pair('b');
      const env = { DICOM_TLS_PORT: '2762', DICOM_TLS_CERT: join(dir, 'a.pem'), DICOM_TLS_KEY: join(dir, 'a.key') };
      expect(loadConfig(env).dicom.tls).toEqual({ port: 2762, certPath: join(dir, 'a.pem'), keyPath: join(dir, 'a.key'), caPath: undefined });
      expect(loadConfig({ ...env, DICOM_TLS_CA: join(dir, 'b.pem') }).dicom.tls?.caPath).toBe(join(dir, 'b.pem'));
      expect(() => loadConfig({ ...env, DICOM_TLS_KEY: join(dir, 'b.key') })).toThrow(/key values mismatch/);
      expect(() => loadConfig({ ...env, DICOM_TLS_CA: join(dir, 'a.key') })).toThrow(/DICOM_TLS_CA/);
    });
  });
});
