import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomFileStore } from '@/server/files';
import { IngestService, type ReceivedInstance } from '../ingest-service';
import { QuarantineStore } from '../quarantine-store';
import { DimseServer } from './dimse-server';
import { readDimseTls } from './read-dimse-tls';

const run = promisify(execFile);
const available = async (cmd: string, args: string[]) => run(cmd, args).then(() => true, () => false);
const hasTools = (await available('echoscu', ['--version'])) && (await available('openssl', ['version']));
const FIXTURE = 'server/dicom/__fixtures__/ct-s16.dcm';

/** A CA, a server and a client certificate it signed, and a self-signed client it did not. */
async function makePki(dir: string): Promise<void> {
  const ossl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test Hospital CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const name of ['server', 'client']) {
    await ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...(name === 'server' ? ['-extfile', 'server.ext'] : []));
  }
  await ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.pem', '-days', '2', '-subj', '/CN=rogue');
}

describe.skipIf(!hasTools)('DICOM over TLS against dcmtk echoscu / storescu +tls', () => {
  let dir: string;
  let open: DimseServer; // TLS, any client
  let mutual: DimseServer; // TLS, client certificate signed by the CA required
  const recorded: ReceivedInstance[] = [];
  const log = pino({ level: 'silent' });
  const mutualLog: { msg: string; err?: { message: string } }[] = [];
  const capture = pino({ level: 'warn' }, { write: (line: string) => void mutualLog.push(JSON.parse(line) as (typeof mutualLog)[number]) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-tls-'));
    await makePki(dir);
    const ingest = new IngestService({
      files: new DicomFileStore(join(dir, 'dicom')),
      quarantine: new QuarantineStore(join(dir, 'quarantine')),
      record: async (i) => {
        recorded.push(i);
      },
      log,
    });
    const base = { port: 0, aeTitle: 'ICHTRIAGE', allowedCallingAeTitles: [], ingest, log };
    const plainTls = readDimseTls({ certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key') });
    const withCa = readDimseTls({ certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key'), caPath: join(dir, 'ca.pem') });
    expect(plainTls.problems).toEqual([]);
    expect(withCa.problems).toEqual([]);
    open = new DimseServer({ ...base, tls: plainTls.material });
    mutual = new DimseServer({ ...base, log: capture, tls: withCa.material });
    await open.start();
    await mutual.start();
  }, 60_000);

  afterAll(() => {
    open?.stop();
    mutual?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tool = (cmd: 'echoscu' | 'storescu', port: number, tls: string[], files: string[] = []) =>
    run(cmd, ['-aet', 'CT01', '-aec', 'ICHTRIAGE', '-to', '5', '-ta', '5', ...tls, '127.0.0.1', String(port), ...files], { cwd: dir, timeout: 20_000 }).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
  const clientCert = ['+tls', 'client.key', 'client.pem', '+cf', 'ca.pem'];

  it('answers echoscu +tls with Echo Success', async () => {
    const r = await tool('echoscu', open.port, clientCert);
    expect(r.ok, r.out).toBe(true);
  });

  it('serves an anonymous TLS client when no CA is configured', async () => {
    const r = await tool('echoscu', open.port, ['+tla', '+cf', 'ca.pem']);
    expect(r.ok, r.out).toBe(true);
  });

  it('stores an instance sent with storescu +tls through the durable ingest', async () => {
    const before = recorded.length;
    const r = await tool('storescu', open.port, clientCert, [join(process.cwd(), FIXTURE)]);
    expect(r.ok, r.out).toBe(true);
    expect(recorded.length).toBe(before + 1);
    expect(recorded.at(-1)?.source.channel).toBe('dimse');
  });

  it('refuses a plain DICOM connection to the TLS port', async () => {
    const r = await tool('echoscu', open.port, []);
    expect(r.ok).toBe(false);
  });

  it('with a CA: accepts a client certificate the CA signed, refuses none and a foreign one', async () => {
    expect((await tool('echoscu', mutual.port, clientCert)).ok).toBe(true);
    const before = recorded.length;
    expect((await tool('storescu', mutual.port, clientCert, [join(process.cwd(), FIXTURE)])).ok).toBe(true);
    expect(recorded.length).toBe(before + 1);
    expect((await tool('echoscu', mutual.port, ['+tla', '+cf', 'ca.pem'])).ok).toBe(false);
    // Refused by our side for the missing certificate, not by a failure of the client.
    expect(mutualLog.some((l) => l.msg === 'DICOM TLS handshake refused' && /certificate/i.test(l.err?.message ?? ''))).toBe(true);
    expect((await tool('echoscu', mutual.port, ['+tls', 'rogue.key', 'rogue.pem', '+cf', 'ca.pem'])).ok).toBe(false);
    expect((await tool('storescu', mutual.port, ['+tla', '+cf', 'ca.pem'], [join(process.cwd(), FIXTURE)])).ok).toBe(false);
    expect(recorded.length).toBe(before + 1);
  });

  it('readDimseTls names each unusable file', () => {
    expect(readDimseTls({ certPath: join(dir, 'missing.pem'), keyPath: join(dir, 'server.key') }).problems).toEqual([expect.stringMatching(/^DICOM_TLS_CERT: cannot read .*ENOENT/)]);
    expect(readDimseTls({ certPath: join(dir, 'server.pem'), keyPath: join(dir, 'rogue.key') }).problems).toEqual([expect.stringMatching(/key values mismatch/)]);
    expect(readDimseTls({ certPath: join(dir, 'server.ext'), keyPath: join(dir, 'server.key') }).problems[0]).toMatch(/^DICOM_TLS_CERT\/DICOM_TLS_KEY: /);
    expect(readDimseTls({ certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key'), caPath: join(dir, 'nope') }).problems).toEqual([expect.stringMatching(/^DICOM_TLS_CA: cannot read/)]);
  });
});
