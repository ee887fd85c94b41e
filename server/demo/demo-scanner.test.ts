import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoScanner, type DemoScannerOptions } from './demo-scanner';
import { startTestListener, unusedPort, type TestListener } from './__fixtures__/start-test-listener';

/** A pino logger whose JSON lines land in `lines`. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const small = (port: number, log: DemoScannerOptions['log']): DemoScannerOptions => ({
  target: { host: '127.0.0.1', port, callingAeTitle: 'DEMOSCANNER', calledAeTitle: 'ICHTRIAGE' },
  ratePerMinute: 600,
  slices: { min: 2, max: 4 },
  size: 64,
  seed: 1000,
  firstDelayMs: 0,
  shuffledShare: 0.5,
  kind: 'cartoon',
  log,
});

describe('DemoScanner', () => {
  let listener: TestListener | undefined;
  let scanner: DemoScanner | undefined;
  afterEach(async () => {
    await scanner?.stop();
    listener?.stop();
    scanner = listener = undefined;
  });

  it('sends phantom studies at its rate, logs one line per study without patient data, and stops cleanly', async () => {
    listener = await startTestListener();
    const { log, lines } = captureLog();
    scanner = new DemoScanner(small(listener.port, log));

    scanner.start();
    await waitFor(() => scanner!.sent.length >= 2, 60_000);
    await scanner.stop();
    const sentAtStop = scanner.sent.length;
    const storedAtStop = listener.recorded.length;
    await new Promise((r) => setTimeout(r, 400));

    expect(scanner.sent.length).toBe(sentAtStop); // nothing after stop()
    expect(listener.recorded.length).toBe(storedAtStop);
    const reports = scanner.sent;
    expect(reports.map((r) => r.seed)).toEqual(reports.map((_, i) => 1000 + i));
    for (const r of reports) {
      expect(r.slices).toBeGreaterThanOrEqual(2);
      expect(r.slices).toBeLessThanOrEqual(4);
      expect(r).toMatchObject({ stored: r.slices, failed: 0 });
    }
    expect(storedAtStop).toBe(reports.reduce((n, r) => n + r.slices, 0));
    expect(new Set(listener.recorded.map((i) => i.header.studyInstanceUid)).size).toBe(reports.length);
    expect(listener.recorded.every((i) => i.source.sender === 'DEMOSCANNER')).toBe(true);
    const studyLines = lines.filter((l) => l.msg === 'demo study sent');
    expect(studyLines).toHaveLength(reports.length);
    expect(studyLines[0]).toMatchObject({ study: 0, seed: 1000, subtypes: expect.any(Array), slices: reports[0]!.slices, sendMs: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toMatch(/PHANTOM|patient/i);
  });

  it('survives a listener that is not up yet: logs the failure and retries the same study next tick', async () => {
    const port = await unusedPort();
    const { log, lines } = captureLog();
    scanner = new DemoScanner({ ...small(port, log), ratePerMinute: 300 });

    scanner.start();
    await waitFor(() => lines.some((l) => l.msg === 'demo study not sent; retrying next tick'), 30_000);
    expect(scanner.sent).toHaveLength(0);
    listener = await startTestListener(port);
    await waitFor(() => scanner!.sent.length >= 1, 60_000);

    expect(scanner.sent[0]).toMatchObject({ study: 0, seed: 1000, failed: 0 });
    const failure = lines.find((l) => l.msg === 'demo study not sent; retrying next tick');
    expect(failure).toMatchObject({ study: 0, seed: 1000, error: { code: 'DIMSE_CONNECTION_FAILED' } });
  });

  it('sends slices in a shuffled order when the study draws it', async () => {
    listener = await startTestListener();
    const { log } = captureLog();
    scanner = new DemoScanner({ ...small(listener.port, log), slices: { min: 8, max: 8 }, shuffledShare: 1 });

    scanner.start();
    await waitFor(() => scanner!.sent.length >= 1, 60_000);
    await scanner.stop();

    expect(scanner.sent[0]).toMatchObject({ shuffled: true, stored: 8 });
    const order = listener.recorded.slice(0, 8).map((i) => i.header.instanceNumber);
    expect([...order].sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(order).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('sends the real-anatomy demo by default: the GE head CT, masked DEMO patients, truth reported', async () => {
    listener = await startTestListener();
    const { log, lines } = captureLog();
    const defaults: DemoScannerOptions = small(listener.port, log);
    delete defaults.kind;
    scanner = new DemoScanner({ ...defaults, slices: { min: 28, max: 40 }, size: 128, seed: 2000 });

    scanner.start();
    await waitFor(() => scanner!.sent.length >= 2, 120_000);
    await scanner.stop();

    for (const r of scanner.sent) expect(r).toMatchObject({ slices: 28, stored: 28, failed: 0 });
    const first = listener.recorded.filter((i) => i.header.studyInstanceUid === listener!.recorded[0]!.header.studyInstanceUid);
    expect(first[0]!.header.gantryDetectorTilt).toBe(18.5);
    expect(first[0]!.header.patientName).toMatch(/^DEMO\^/);
    expect(JSON.stringify(lines)).not.toMatch(/DEMO\^|patient/i);
  }, 180_000);

  it('stop() waits for a study being sent', async () => {
    listener = await startTestListener();
    const { log } = captureLog();
    scanner = new DemoScanner({ ...small(listener.port, log), slices: { min: 6, max: 6 }, size: 256 });

    scanner.start();
    await waitFor(() => listener!.recorded.length >= 1, 60_000); // mid-study
    await scanner.stop();

    expect(listener.recorded.length % 6).toBe(0); // no study left half-sent
    expect(scanner.sent.length).toBe(listener.recorded.length / 6);
  });
});
