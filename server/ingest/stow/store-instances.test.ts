import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePhantomStudy } from '@/server/phantoms';
import { DicomFileStore } from '@/server/files';
import { IngestService, type ReceivedInstance } from '../ingest-service';
import { QuarantineStore } from '../quarantine-store';
import { storeInstances, type DicomJson } from './store-instances';

const BOUNDARY = 'DICOMwebBoundary42';
const CONTENT_TYPE = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`;

/** A STOW-RS body, streamed in small chunks as a network would deliver it. */
function multipart(parts: { type: string; bytes: Uint8Array }[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(enc.encode(`--${BOUNDARY}\r\nContent-Type: ${p.type}\r\n\r\n`), p.bytes, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${BOUNDARY}--\r\n`));
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= all.length) return controller.close();
      controller.enqueue(all.slice(at, at + 7001));
      at += 7001;
    },
  });
}

describe('STOW-RS store', () => {
  let root: string;
  let ingest: IngestService;
  const recorded: ReceivedInstance[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stow-'));
    recorded.length = 0;
    ingest = new IngestService({
      files: new DicomFileStore(join(root, 'dicom')),
      quarantine: new QuarantineStore(join(root, 'quarantine')),
      record: async (i) => {
        recorded.push(i);
      },
      log: pino({ level: 'silent' }),
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = (body: ReadableStream<Uint8Array> | null, type: string | null = CONTENT_TYPE) =>
    storeInstances(body, type, { channel: 'stow', sender: 'test' }, (b, s) => ingest.ingest(b, s), 'http://h/dicomweb');

  it('stores every instance and answers with the PS3.18 response: referenced SOPs and retrieve URLs', async () => {
    const study = generatePhantomStudy({ seed: 21, slices: 3, size: 64 });
    const result = await run(multipart(study.slices.map((s) => ({ type: 'application/dicom', bytes: s.bytes }))));
    expect(result.status).toBe(200);
    const body = result.body as DicomJson;
    const refs = body['00081199']!.Value as DicomJson[];
    expect(refs.map((r) => r['00081155']!.Value![0])).toEqual(study.slices.map((s) => s.sopInstanceUid));
    expect(refs[0]!['00081150']!.Value![0]).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(body['00081190']!.Value![0]).toBe(`http://h/dicomweb/studies/${study.studyInstanceUid}`);
    expect(body['00081198']).toBeUndefined();
    expect(recorded.map((r) => r.source.channel)).toEqual(['stow', 'stow', 'stow']);
  });

  it('answers 202 with a failure reason per refused part, and keeps the refused bytes in quarantine', async () => {
    const study = generatePhantomStudy({ seed: 22, slices: 1, size: 64 });
    const result = await run(
      multipart([
        { type: 'application/dicom', bytes: study.slices[0]!.bytes },
        { type: 'application/dicom', bytes: new TextEncoder().encode('not a DICOM file at all') },
      ]),
    );
    expect(result.status).toBe(202);
    const failed = (result.body as DicomJson)['00081198']!.Value as DicomJson[];
    expect(failed).toHaveLength(1);
    expect(failed[0]!['00081197']!.Value![0]).toBe(0xc000);
  });

  it('answers 409 when nothing could be stored, 415 for a wrong media type, 400 for a broken body', async () => {
    expect((await run(multipart([{ type: 'application/dicom', bytes: new Uint8Array([1, 2, 3]) }]))).status).toBe(409);
    expect((await run(multipart([]), 'application/json')).status).toBe(415);
    expect((await run(multipart([]), 'multipart/related; type="application/dicom+xml"; boundary=x')).status).toBe(415);
    expect((await run(null)).status).toBe(400);
  });

  it('refuses a request of more than 5,000 parts with 413 before storing or quarantining any', async () => {
    const study = generatePhantomStudy({ seed: 23, slices: 1, size: 64 });
    const junk = new TextEncoder().encode('not DICOM');
    const parts = [{ type: 'application/dicom', bytes: study.slices[0]!.bytes }, ...Array.from({ length: 5999 }, () => ({ type: 'application/dicom', bytes: junk }))];
    const result = await run(multipart(parts));
    expect(result.status).toBe(413);
    expect((result.body as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
    expect(recorded).toHaveLength(0);
    expect(readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.dcm') || String(f).includes('quarantine/'))).toEqual([]);
  });
});
