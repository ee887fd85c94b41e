import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCtSlice } from '@/server/dicom';
import { DicomFileStore } from '@/server/files';
import { IngestService, type ReceivedInstance } from '../ingest-service';
import { QuarantineStore } from '../quarantine-store';
import { DimseServer } from './dimse-server';

const run = promisify(execFile);
const FIXTURES = 'server/dicom/__fixtures__';
const hasDcmtk = await run('storescu', ['--version']).then(
  () => true,
  () => false,
);

describe.skipIf(!hasDcmtk)('DICOM listener against dcmtk storescu / echoscu', () => {
  let root: string;
  let server: DimseServer;
  const recorded: ReceivedInstance[] = [];
  const quarantined: { code: string }[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dimse-'));
    const log = pino({ level: 'silent' });
    const ingest = new IngestService({
      files: new DicomFileStore(join(root, 'dicom')),
      quarantine: new QuarantineStore(join(root, 'quarantine')),
      record: async (i) => {
        recorded.push(i);
      },
      recordQuarantine: async (q) => {
        quarantined.push(q);
      },
      log,
    });
    server = new DimseServer({ port: 0, aeTitle: 'ICHTRIAGE', allowedCallingAeTitles: ['CT01', 'STORESCU'], ingest, log });
    await server.start();
  });

  afterAll(() => {
    server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const storescu = (files: string[], calling = 'CT01', extra: string[] = []) =>
    run('storescu', ['-v', '-aet', calling, '-aec', 'ICHTRIAGE', ...extra, '127.0.0.1', String(server.port), ...files]).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it('answers C-ECHO', async () => {
    const r = await run('echoscu', ['-aet', 'CT01', '-aec', 'ICHTRIAGE', '127.0.0.1', String(server.port)]);
    expect(r.stderr).not.toMatch(/E:/);
  });

  it('stores CT sent uncompressed and compressed, byte for byte in the sent transfer syntax', async () => {
    // storescu proposes a compressed syntax only when asked (-xt JPEG-LS, -xr RLE, -xv JPEG 2000);
    // the listener must then prefer it, so the file arrives without being transcoded.
    const sends: [string, string[]][] = [
      ['ct-s16.dcm', []],
      ['ct-s16-jpeg-ls.dcm', ['-xt']],
      ['ct-s16-rle.dcm', ['-xr']],
      ['ct-s16-j2k.dcm', ['-xv']],
    ];
    // The fixtures share one SOP Instance UID; give each copy its own, as distinct images have.
    const copies: string[] = [];
    for (const [i, [file]] of sends.entries()) {
      const copy = join(root, `send-${i}.dcm`);
      copyFileSync(join(FIXTURES, file), copy);
      await run('dcmodify', ['-nb', '-m', `(0008,0018)=2.25.4242${i}`, copy]);
      copies.push(copy);
    }
    for (const [i, [, flags]] of sends.entries()) {
      const r = await storescu([copies[i]!], 'CT01', flags);
      expect(r.out, sends[i]![0]).toMatch(/Received Store Response \(Success\)/);
    }
    expect(recorded).toHaveLength(sends.length);
    for (const [i, instance] of recorded.entries()) {
      expect(instance.stored.duplicate).toBe(false);
      expect(instance.source).toEqual({ channel: 'dimse', sender: 'CT01' });
      const original = await decodeCtSlice(readFileSync(copies[i]!));
      const received = await decodeCtSlice(readFileSync(join(root, 'dicom', instance.stored.relativePath)));
      expect(received.header.transferSyntaxUid).toBe(original.header.transferSyntaxUid);
      expect(received.header.sopInstanceUid).toBe(original.header.sopInstanceUid);
      expect(Array.from(received.hu.hu)).toEqual(Array.from(original.hu.hu));
    }
  });

  it('treats a resend of the same instance as a duplicate, not a second instance', async () => {
    const before = recorded.length;
    for (let n = 0; n < 2; n++) {
      const r = await storescu([join(FIXTURES, 'ct-s16.dcm')]);
      expect(r.out).toMatch(/Received Store Response \(Success\)/);
    }
    expect(recorded.slice(before).map((i) => i.stored.duplicate)).toEqual([false, true]);
  });

  it('refuses non-CT with a failure status naming the reason, and keeps it in quarantine', async () => {
    const r = await storescu([join(FIXTURES, 'mr-u16.dcm')]);
    expect(r.out).toMatch(/Received Store Response \(Error: CannotUnderstand\)/);
    expect(quarantined.at(-1)).toMatchObject({ code: 'DICOM_NOT_CT' });
  });

  it('refuses associations from calling AE titles it does not know', async () => {
    const before = recorded.length;
    const r = await storescu([join(FIXTURES, 'ct-s16.dcm')], 'STRANGER');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Calling AE Title Not Recognized|rejected/i);
    expect(recorded.length).toBe(before);
  });

  it('answers an instance over the size limit with "out of resources", keeping nothing', async () => {
    const log = pino({ level: 'silent' });
    const kept: ReceivedInstance[] = [];
    const small = new DimseServer({
      port: 0,
      aeTitle: 'ICHTRIAGE',
      allowedCallingAeTitles: [],
      maxInstanceBytes: 2048,
      ingest: new IngestService({ files: new DicomFileStore(join(root, 'small')), quarantine: new QuarantineStore(join(root, 'small-q')), record: async (i) => void kept.push(i), log }),
      log,
    });
    await small.start();
    try {
      const big = join(root, 'big.dcm');
      copyFileSync(join(FIXTURES, 'ct-smooth.dcm'), big); // larger than 2 KB
      const r = await run('storescu', ['-v', '-aet', 'CT01', '-aec', 'ICHTRIAGE', '127.0.0.1', String(small.port), big]).then(
        (x) => x.stdout + x.stderr,
        (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
      );
      expect(r).toMatch(/Received Store Response \(Refused: OutOfResources\)/);
      expect(kept).toHaveLength(0);
    } finally {
      small.stop();
    }
  });
});
