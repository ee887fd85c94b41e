import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCtSlice } from '@/server/dicom';
import { generatePhantomStudy } from '@/server/phantoms';
import { CStoreClient } from './cstore-client';
import { startTestListener, unusedPort, type TestListener } from './__fixtures__/start-test-listener';

const run = promisify(execFile);
const FIXTURES = 'server/dicom/__fixtures__';
const JPEG_LS = '1.2.840.10008.1.2.4.80';
const hasDcmodify = await run('dcmodify', ['--version']).then(
  () => true,
  () => false,
);

/** A Part-10 file's dataset bytes: what follows the file meta group (its group length says where). */
function datasetBytes(file: Buffer): Buffer {
  return file.subarray(144 + file.readUInt32LE(140));
}

describe('CStoreClient against the real DICOM listener', () => {
  let listener: TestListener;
  let client: CStoreClient;

  beforeAll(async () => {
    listener = await startTestListener();
    client = new CStoreClient({ host: '127.0.0.1', port: listener.port, callingAeTitle: 'DEMO', calledAeTitle: 'ICHTRIAGE' });
  });
  afterAll(() => listener.stop());

  it('delivers a phantom study over one association; every slice stored with the same HU', async () => {
    const study = generatePhantomStudy({ seed: 4242, slices: 6, size: 512, hemorrhage: 'subdural' });
    const before = listener.recorded.length;
    const connectionsBefore = listener.connections();

    const result = await client.send(study.slices.map((s) => s.bytes));

    expect(result.failed).toBe(0);
    expect(listener.connections() - connectionsBefore).toBe(1);
    expect(result.results.map((r) => [r.ok, r.status, r.sopInstanceUid])).toEqual(study.slices.map((s) => [true, 0, s.sopInstanceUid]));
    const received = listener.recorded.slice(before);
    expect(received.map((i) => i.header.sopInstanceUid)).toEqual(study.slices.map((s) => s.sopInstanceUid));
    expect(received.every((i) => i.source.channel === 'dimse' && i.source.sender === 'DEMO' && !i.stored.duplicate)).toBe(true);
    for (const [k, instance] of received.entries()) {
      const sent = await decodeCtSlice(study.slices[k]!.bytes);
      const stored = await decodeCtSlice(readFileSync(listener.pathOf(instance)));
      expect(stored.header.studyInstanceUid).toBe(study.studyInstanceUid);
      expect(Array.from(stored.hu.hu)).toEqual(Array.from(sent.hu.hu));
      expect(datasetBytes(readFileSync(listener.pathOf(instance))).equals(datasetBytes(Buffer.from(study.slices[k]!.bytes)))).toBe(true);
    }
  });

  it.skipIf(!hasDcmodify)('sends a compressed file in its own transfer syntax, without transcoding', async () => {
    const copy = join(listener.root, 'jpeg-ls.dcm');
    copyFileSync(join(FIXTURES, 'ct-s16-jpeg-ls.dcm'), copy);
    await run('dcmodify', ['-nb', '-m', '(0008,0018)=2.25.777001', copy]);
    const bytes = readFileSync(copy);

    const result = await client.send([bytes]);

    expect(result.results[0]).toMatchObject({ ok: true, status: 0, transferSyntaxUid: JPEG_LS, sopInstanceUid: '2.25.777001' });
    const instance = listener.recorded.at(-1)!;
    expect(instance.header.sopInstanceUid).toBe('2.25.777001');
    expect(instance.header.transferSyntaxUid).toBe(JPEG_LS);
    const storedFile = readFileSync(listener.pathOf(instance));
    expect(datasetBytes(storedFile).equals(datasetBytes(bytes))).toBe(true); // byte for byte
    const stored = await decodeCtSlice(storedFile);
    expect(Array.from(stored.hu.hu)).toEqual(Array.from((await decodeCtSlice(bytes)).hu.hu));
  });

  it('reports a refused instance as a failure with the listener status and reason, the rest stored', async () => {
    const ct = generatePhantomStudy({ seed: 4243, slices: 1, size: 64 }).slices[0]!.bytes;
    const mr = readFileSync(join(FIXTURES, 'mr-u16.dcm'));

    const result = await client.send([mr, ct]);

    expect(result.results[0]).toMatchObject({ ok: false, status: 0xc000 });
    expect(result.results[0]!.ok === false && result.results[0]!.reason).toMatch(/^DICOM_NOT_CT: /);
    expect(result.results[1]).toMatchObject({ ok: true, status: 0 });
    expect(listener.quarantined.at(-1)).toMatchObject({ code: 'DICOM_NOT_CT' });
  });

  it('reports bytes that are not DICOM without sending them', async () => {
    const result = await client.send([new Uint8Array([1, 2, 3])]);
    expect(result.results).toEqual([{ index: 0, sopInstanceUid: null, transferSyntaxUid: null, ok: false, status: null, reason: expect.stringMatching(/^DICOM_NOT_DICOM: /) }]);
  });

  it('throws DIMSE_ASSOCIATION_REJECTED when the listener refuses the called AE title', async () => {
    const wrong = new CStoreClient({ host: '127.0.0.1', port: listener.port, callingAeTitle: 'DEMO', calledAeTitle: 'NOTUS' });
    const ct = generatePhantomStudy({ seed: 4244, slices: 1, size: 64 }).slices[0]!.bytes;
    await expect(wrong.send([ct])).rejects.toMatchObject({ code: 'DIMSE_ASSOCIATION_REJECTED', message: expect.stringMatching(/called AE title not recognized/) });
  });

  it('throws DIMSE_CONNECTION_FAILED when nothing listens', async () => {
    const port = await unusedPort();
    const nobody = new CStoreClient({ host: '127.0.0.1', port, callingAeTitle: 'DEMO', calledAeTitle: 'ICHTRIAGE' });
    const ct = generatePhantomStudy({ seed: 4245, slices: 1, size: 64 }).slices[0]!.bytes;
    await expect(nobody.send([ct])).rejects.toMatchObject({ code: 'DIMSE_CONNECTION_FAILED', message: expect.stringMatching(/ECONNREFUSED/) });
  });
});
