import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMultipart } from '@remix-run/multipart-parser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './dicomweb-routes';
import { AuditService } from '@/server/audit';
import type { Principal } from '@/server/auth/principal';
import { parseDicom } from '@/server/dicom';
import { DicomwebReader, ReadWindow } from '@/server/dicomweb';
import { registerServices, type ServerServices } from '@/server/http';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy } from '@/server/phantoms';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '@/test/support/pipeline-stack';

const VIEWER = 'https://ohif.example';
const FIXTURES = 'server/dicom/__fixtures__';
const user = (role: 'radiologist' | 'admin' | 'clinician'): Principal => ({ kind: 'user', userId: `u-${role}`, username: role, role, sessionId: 's', mustChangePassword: false });
const PRINCIPALS: Record<string, Principal> = {
  rad: user('radiologist'),
  clin: user('clinician'),
  adm: user('admin'),
  pacs: { kind: 'token', tokenId: 't1', name: 'pacs', role: 'integration' },
};

const json = async (r: Response) => (await r.json()) as Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>[];
const value = (ds: Record<string, { Value?: unknown[] }>, tag: string) => ds[tag]?.Value?.[0];
function parts(res: Response, body: Uint8Array) {
  const boundary = /boundary=([^;]+)/.exec(res.headers.get('content-type') ?? '')?.[1];
  return [...parseMultipart(body, { boundary: boundary! })];
}

describe('DICOMweb reads (QIDO-RS, WADO-RS) through the real route handlers (SQLite)', () => {
  let dataDir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack;
  let audit: AuditService;
  const phantom = generatePhantomStudy({ seed: 91, slices: 3, size: 64 });
  const fixtureStudy = '2.25.31415926535897932384626433.100';
  const jpegLs = readFileSync(join(FIXTURES, 'ct-s16-jpeg-ls.dcm'));
  const multiFrame = readFileSync(join(FIXTURES, 'ct-s16-3frames.dcm'));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dicomweb-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log: pino({ level: 'silent' }) });
    stack = await createPipelineStack({ dataDir, engine });
    audit = new AuditService({ prisma: stack.db.prisma, provider: stack.db.provider });
    for (const s of phantom.slices) expect((await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');
    for (const b of [jpegLs, multiFrame]) expect((await stack.ingest.ingest(b, { channel: 'test', sender: 'unit' })).status).toBe('stored');
    registerServices({
      auth: { authenticate: async (h: Pick<Headers, 'get'>) => PRINCIPALS[h.get('authorization')?.replace(/^Bearer /, '') ?? ''] ?? null },
      log: pino({ level: 'silent' }),
      audit,
      ingest: (bytes: Uint8Array, source: { channel: string; sender: string }) => stack.ingest.ingest(bytes, source),
      dicomweb: { reader: new DicomwebReader(stack.db.prisma, stack.files), corsOrigins: [VIEWER], frameReads: new ReadWindow() },
    } as unknown as ServerServices);
  }, 60_000);
  afterAll(async () => {
    registerServices(undefined as unknown as ServerServices);
    await engine?.close();
    await stack?.db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('walks QIDO → WADO like a viewer and reads back every instance byte for byte', async () => {
    const studies = await call('/dicomweb/studies?limit=10', { as: 'rad' });
    expect(studies.status).toBe(200);
    expect(studies.headers.get('content-type')).toBe('application/dicom+json');
    expect(studies.headers.get('cache-control')).toBe('no-store');
    const list = await json(studies);
    const p = list.find((s) => value(s, '0020000D') === phantom.studyInstanceUid)!;
    expect(value(p, '00080061')).toBe('CT');
    expect(p['00201208']?.Value).toEqual([3]);
    expect(value(p, '00100010')).toEqual({ Alphabetic: expect.any(String) });

    const seriesList = await json(await call(`${value(p, '00081190') as string}/series`, { as: 'rad' }));
    expect(seriesList).toHaveLength(1);
    const instances = await json(await call(`${value(seriesList[0]!, '00081190') as string}/instances`, { as: 'rad' }));
    expect(instances).toHaveLength(3);
    for (const inst of instances) {
      const res = await call(value(inst, '00081190') as string, { as: 'rad' });
      expect(res.headers.get('content-type')).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
      const [part] = parts(res, new Uint8Array(await res.arrayBuffer()));
      const sent = phantom.slices.find((s) => s.sopInstanceUid === value(inst, '00080018'))!;
      expect(Buffer.from(part!.bytes).equals(Buffer.from(sent.bytes))).toBe(true);
    }
    // The whole study in one answer, one part per instance, each the bytes sent.
    const whole = await call(`/dicomweb/studies/${phantom.studyInstanceUid}`, { as: 'rad' });
    const all = parts(whole, new Uint8Array(await whole.arrayBuffer()));
    expect(all.map((x) => Buffer.from(x.bytes).toString('base64')).sort()).toEqual(phantom.slices.map((s) => Buffer.from(s.bytes).toString('base64')).sort());
  });

  it('serves metadata whose pixel BulkDataURI resolves to the frames as stored', async () => {
    const meta = await json(await call(`/dicomweb/studies/${phantom.studyInstanceUid}/metadata`, { as: 'clin' }));
    expect(meta).toHaveLength(3);
    for (const m of meta) {
      expect(m['7FE00010']?.BulkDataURI).toMatch(/\/frames\/1$/);
      const res = await call(m['7FE00010']!.BulkDataURI!, { as: 'clin' });
      expect(res.headers.get('content-type')).toMatch(/^multipart\/related; type="application\/octet-stream"/);
      const [frame] = parts(res, new Uint8Array(await res.arrayBuffer()));
      const sent = phantom.slices.find((s) => s.sopInstanceUid === value(m, '00080018'))!;
      const parsed = parseDicom(sent.bytes);
      const px = parsed.pixelData as { offset: number; length: number };
      expect(Buffer.from(frame!.bytes).equals(Buffer.from(parsed.bytes.subarray(px.offset, px.offset + px.length)))).toBe(true);
    }
    const one = await json(await call(`/dicomweb/studies/${fixtureStudy}/series/2.25.31415926535897932384626433.100.2/instances/2.25.31415926535897932384626433.2.1/metadata`, { as: 'rad' }));
    expect(one[0]!['7FE00010']?.BulkDataURI).toMatch(/\/frames\/1,2,3$/);
    expect((await json(await call(`/dicomweb/studies/${fixtureStudy}/series/2.25.31415926535897932384626433.100.1/metadata`, { as: 'rad' }))).length).toBe(1);
  });

  it('cuts multi-frame and encapsulated pixel data into frames; 404 for a frame that does not exist', async () => {
    const base = `/dicomweb/studies/${fixtureStudy}/series/2.25.31415926535897932384626433.100.2/instances/2.25.31415926535897932384626433.2.1/frames`;
    const parsed = parseDicom(multiFrame);
    const px = parsed.pixelData as { offset: number; length: number };
    const size = px.length / 3;
    const res = await call(`${base}/3,1`, { as: 'rad' });
    const got = parts(res, new Uint8Array(await res.arrayBuffer()));
    expect(got.map((g) => Buffer.from(g.bytes))).toEqual([3, 1].map((n) => Buffer.from(parsed.bytes.subarray(px.offset + (n - 1) * size, px.offset + n * size))));
    expect((await call(`${base}/4`, { as: 'rad' })).status).toBe(404);
    expect((await call(`${base}/0`, { as: 'rad' })).status).toBe(404);
    expect((await call(`${base}/x`, { as: 'rad' })).status).toBe(422);

    const jls = await call(`/dicomweb/studies/${fixtureStudy}/series/2.25.31415926535897932384626433.100.1/instances/2.25.31415926535897932384626433.1.1/frames/1`, { as: 'rad' });
    const [frame] = parts(jls, new Uint8Array(await jls.arrayBuffer()));
    expect(frame!.headers['content-type']).toBe('application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.80');
    const enc = parseDicom(jpegLs).pixelData as { fragments: { position: number; length: number }[] };
    expect(Buffer.from(frame!.bytes).equals(Buffer.concat(enc.fragments.map((f) => jpegLs.subarray(f.position, f.position + f.length))))).toBe(true);
  });

  it('matches the common QIDO keys and refuses what it cannot honour', async () => {
    const uids = async (q: string) => (await json(await call(`/dicomweb/studies?${q}`, { as: 'rad' }))).map((s) => value(s, '0020000D'));
    expect(await uids(`StudyInstanceUID=${fixtureStudy}`)).toEqual([fixtureStudy]);
    expect(await uids(`0020000D=${phantom.studyInstanceUid}`)).toEqual([phantom.studyInstanceUid]);
    expect(await uids(`PatientID=${encodeURIComponent(phantom.patientId)}`)).toEqual([phantom.studyInstanceUid]);
    expect(await uids('StudyDate=20200101-20200103')).toEqual([fixtureStudy]);
    expect(await uids('StudyDate=-19991231')).toEqual([]);
    expect(await uids('ModalitiesInStudy=MR')).toEqual([]);
    expect((await uids('ModalitiesInStudy=MR%5CCT')).length).toBe(2);
    expect((await uids('ModalitiesInStudy=CT&includefield=all&includefield=00081030')).sort()).toEqual([fixtureStudy, phantom.studyInstanceUid].sort());
    expect((await uids('limit=1')).length).toBe(1);
    expect(await uids('limit=1&offset=5')).toEqual([]);
    expect((await call('/dicomweb/studies?PatientWeight=70', { as: 'rad' })).status).toBe(422);
    expect((await call('/dicomweb/studies?fuzzymatching=true', { as: 'rad' })).status).toBe(422);
    expect((await call('/dicomweb/studies?StudyInstanceUID=..', { as: 'rad' })).status).toBe(422);
    const inSeries = await json(await call(`/dicomweb/studies/${fixtureStudy}/instances?SeriesInstanceUID=2.25.31415926535897932384626433.100.2`, { as: 'rad' }));
    expect(inSeries.map((i) => value(i, '00080018'))).toEqual(['2.25.31415926535897932384626433.2.1']);
  });

  it('answers the STOW-RS RetrieveURL with the instance that was sent', async () => {
    const fresh = generatePhantomStudy({ seed: 92, slices: 1, size: 32 });
    const boundary = 'b0undary';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), fresh.slices[0]!.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const stored = await call('/dicomweb/studies', { method: 'POST', as: 'pacs', body, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` });
    expect(stored.status).toBe(200);
    const answer = (await stored.json()) as Record<string, { Value: Record<string, { Value: string[] }>[] }>;
    const url = answer['00081199']!.Value[0]!['00081190']!.Value[0]!;
    const res = await call(url, { as: 'rad' });
    expect(res.status).toBe(200);
    const [part] = parts(res, new Uint8Array(await res.arrayBuffer()));
    expect(Buffer.from(part!.bytes).equals(Buffer.from(fresh.slices[0]!.bytes))).toBe(true);
  });

  it('needs a reader who may see identifiers: 401 stranger, 403 admin and integration token, 404 unknown, 422 unsafe UIDs', async () => {
    const url = `/dicomweb/studies/${phantom.studyInstanceUid}`;
    expect((await call(url)).status).toBe(401);
    expect((await call(url, { as: 'adm' })).status).toBe(403);
    expect((await call(url, { as: 'pacs' })).status).toBe(403);
    expect((await call('/dicomweb/studies', { as: 'pacs' })).status).toBe(403);
    expect((await call('/dicomweb/studies/1.2.3.999', { as: 'rad' })).status).toBe(404);
    // A bare '..' or '%2e%2e' segment never arrives: URL parsing removes dot segments before routing.
    for (const bad of ['..%2F..%2Fetc', 'a%20b', '%2e%2e%2Fx', '1'.repeat(65)]) expect((await call(`/dicomweb/studies/${bad}/series`, { as: 'rad' })).status).toBe(422);
  });

  it('journals every search and retrieval, frames once per person and study', async () => {
    const before = await stack.db.prisma.auditEvent.count({ where: { action: 'dicomweb.retrieved' } });
    await call(`/dicomweb/studies/${phantom.studyInstanceUid}/series`, { as: 'rad' });
    await call(`/dicomweb/studies/${phantom.studyInstanceUid}`, { as: 'rad' });
    const sop = phantom.slices[0]!.sopInstanceUid;
    for (let i = 0; i < 3; i++) await call(`/dicomweb/studies/${phantom.studyInstanceUid}/series/${phantom.seriesInstanceUid}/instances/${sop}/frames/1`, { as: 'rad' });
    const rows = await stack.db.prisma.auditEvent.findMany({ where: { action: { in: ['dicomweb.searched', 'dicomweb.retrieved'] } }, orderBy: { seq: 'asc' } });
    expect(rows.filter((r) => r.action === 'dicomweb.retrieved').length).toBe(before + 2);
    const last = rows.at(-1)!;
    expect(last).toMatchObject({ action: 'dicomweb.retrieved', targetId: phantom.studyInstanceUid, actorUsername: 'radiologist' });
    expect(rows.some((r) => r.action === 'dicomweb.searched' && r.targetId === phantom.studyInstanceUid)).toBe(true);
  });

  it('CORS only for DICOMWEB_CORS_ORIGINS, with preflight', async () => {
    const ok = await call('/dicomweb/studies', { as: 'rad', origin: VIEWER });
    expect(ok.headers.get('access-control-allow-origin')).toBe(VIEWER);
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    const denied401 = await call('/dicomweb/studies', { origin: VIEWER });
    expect([denied401.status, denied401.headers.get('access-control-allow-origin')]).toEqual([401, VIEWER]);
    expect((await call('/dicomweb/studies', { as: 'rad', origin: 'https://evil.example' })).headers.get('access-control-allow-origin')).toBeNull();
    const pre = await call(`/dicomweb/studies/${phantom.studyInstanceUid}/metadata`, { method: 'OPTIONS', origin: VIEWER });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect((await call('/dicomweb/studies', { method: 'OPTIONS', origin: 'https://evil.example' })).status).toBe(403);
  });
});
