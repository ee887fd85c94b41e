import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePhantomStudy } from '@/server/phantoms';
import { startServerProcess, type ServerProcess } from '@/test/support/server-process';

/**
 * Issue 14 §4.1, §4.3, §4.6, §4.7 against the REAL server (server/main.ts as a child process): the
 * sign-in throttle cannot be dodged or turned on someone else with X-Forwarded-For, a huge login
 * body is refused unread, patient data is never cacheable, the Host header is checked and STOW-RS
 * names the public origin. Clients connect from other loopback addresses (127.0.0.2, 127.0.0.3)
 * to play a stranger on another machine; no TRUSTED_PROXIES is set, so no forwarding header counts.
 */

const ADMIN_PASSWORD = 'a long passphrase for the security tests'; // must not contain the username (password rules)
const PUBLIC_URL = 'https://triage.example.org';
const CLINICIAN_TOKEN = randomBytes(32).toString('base64url');
const PACS_TOKEN = randomBytes(32).toString('base64url');

type Answer = { status: number; headers: IncomingHttpHeaders; text: string; ms: number; sentBytes: number };

let dataDir: string;
let server: ServerProcess;

/** One request with node:http, so Host, the source address and a streamed body are ours to choose. */
function send(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Uint8Array; from?: string; stream?: { chunk: Uint8Array; totalBytes: number } }): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const req = httpRequest(
      { host: '127.0.0.1', port: server.httpPort, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, localAddress: opts.from ?? '127.0.0.1' },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started, sentBytes });
          req.destroy();
        });
      },
    );
    req.on('error', (err) => (answered ? undefined : reject(err)));
    if (opts.stream) {
      const { chunk, totalBytes } = opts.stream;
      const pump = () => {
        while (!answered && sentBytes < totalBytes) {
          sentBytes += chunk.byteLength;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    } else {
      req.end(opts.body);
    }
  });
}

const origin = () => `http://127.0.0.1:${server.httpPort}`;
const login = (body: object, from: string, extra: Record<string, string> = {}) =>
  send({ method: 'POST', path: '/api/auth/login', from, headers: { 'content-type': 'application/json', origin: origin(), ...extra }, body: JSON.stringify(body) });

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ich-http-security-'));
  server = await startServerProcess({
    dataDir,
    env: {
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD,
      API_TOKENS: `sec-reader:clinician:${CLINICIAN_TOKEN},sec-pacs:integration:${PACS_TOKEN}`,
      PUBLIC_URL,
      // Next dev in its own folder: another dev server in the checkout holds `.next/dev`'s lock.
      NEXT_DIST_DIR: '.next-http-security',
    },
  });
  // Next dev compiles each route on its first request: do it now, outside the timed checks.
  await login({ username: 'warm-up', password: 'x' }, '127.0.0.4');
  await send({ path: '/api/worklist', headers: { authorization: `Bearer ${CLINICIAN_TOKEN}` } });
}, 300_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('HTTP security on the real server', () => {
  it('throttles 400 sign-in attempts that each carry a new X-Forwarded-For (429 after the first 20)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 400; i++) {
      const res = await login({ username: 'nobody', password: `guess ${i}` }, '127.0.0.3', { 'x-forwarded-for': `198.51.${i >> 8}.${i & 255}` });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(380);
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
  }, 240_000);

  it("does not let a stranger's forged 'X-Forwarded-For: 127.0.0.1' use up the real client's allowance", async () => {
    for (let i = 0; i < 25; i++) await login({ username: 'nobody', password: 'x' }, '127.0.0.2', { 'x-forwarded-for': '127.0.0.1' });
    expect((await login({ username: 'nobody', password: 'x' }, '127.0.0.2', { 'x-forwarded-for': '127.0.0.1' })).status).toBe(429);
    // The admin, signing in from 127.0.0.1 itself, is neither throttled nor locked out by any of this.
    const real = await login({ username: 'admin', password: ADMIN_PASSWORD }, '127.0.0.1');
    expect(real.status).toBe(200);
    expect(real.headers['cache-control']).toBe('no-store');
  }, 120_000);

  it('refuses a 50 MB login body with 413 at once, declared or chunked, without holding it in memory', async () => {
    const declared = await send({ method: 'POST', path: '/api/auth/login', from: '127.0.0.5', headers: { 'content-type': 'application/json', origin: origin(), 'content-length': String(50 * 1024 * 1024) }, stream: { chunk: new Uint8Array(64 * 1024).fill(0x20), totalBytes: 50 * 1024 * 1024 } });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).error.code).toBe('BODY_TOO_LARGE');
    const before = rssKb(server.pid);
    const chunked = await send({ method: 'POST', path: '/api/auth/login', from: '127.0.0.5', headers: { 'content-type': 'application/json', origin: origin(), 'transfer-encoding': 'chunked' }, stream: { chunk: new Uint8Array(64 * 1024).fill(0x20), totalBytes: 50 * 1024 * 1024 } });
    expect(chunked.status).toBe(413);
    expect(chunked.ms).toBeLessThan(10_000);
    expect(rssKb(server.pid) - before).toBeLessThan(40 * 1024);
  }, 60_000);

  it('marks patient data and every API answer no-store', async () => {
    const auth = { authorization: `Bearer ${CLINICIAN_TOKEN}` };
    for (const path of ['/api/worklist', '/api/studies/1.2.3.4', '/api/studies/1.2.3.4/slices/1.2.3.5', '/api/health']) {
      const res = await send({ path, headers: auth });
      expect(res.headers['cache-control'], `${path} (${res.status})`).toBe('no-store');
    }
  }, 120_000);

  it('answers 421 for a Host name not allowed (DNS rebinding), and serves IP literals, localhost and PUBLIC_URL', async () => {
    expect((await send({ path: '/api/health', headers: { host: `evil.example:${server.httpPort}` } })).status).toBe(421);
    expect((await login({ username: 'nobody', password: 'x' }, '127.0.0.6', { host: `rebind.evil.example:${server.httpPort}` })).status).toBe(421);
    for (const host of [`127.0.0.1:${server.httpPort}`, `localhost:${server.httpPort}`, 'triage.example.org']) {
      expect((await send({ path: '/api/health', headers: { host } })).status, host).toBe(200);
    }
  }, 60_000);

  it('names PUBLIC_URL in the STOW-RS RetrieveURL, and records the client address (not a header) as the sender', async () => {
    const study = generatePhantomStudy({ seed: 41, slices: 1, size: 64 });
    const boundary = 'SecurityTestBoundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const res = await send({
      method: 'POST',
      path: '/dicomweb/studies',
      headers: { authorization: `Bearer ${PACS_TOKEN}`, 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, 'x-forwarded-for': '<script>alert(1)</script>' },
      body: Buffer.concat([head, study.slices[0]!.bytes, tail]),
    });
    expect(res.status, res.text).toBe(200);
    const body = JSON.parse(res.text) as Record<string, { Value: string[] }>;
    expect(body['00081190']!.Value[0]).toBe(`${PUBLIC_URL}/dicomweb/studies/${study.studyInstanceUid}`);
    expect(res.headers['cache-control']).toBe('no-store');
  }, 120_000);
});
