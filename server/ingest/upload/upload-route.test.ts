import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as quarantineRoute from '@/app/api/quarantine/route';
import * as upload from '@/app/api/upload/route';
import { AuditService } from '@/server/audit';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { generatePhantomStudy } from '@/server/phantoms';
import { DicomFileStore } from '@/server/files';
import { IngestService } from '../ingest-service';
import { QuarantineStore } from '../quarantine-store';
import { listQuarantine, type QuarantinePage } from '../quarantine-query';
import { recordInstance } from '../record-instance';
import { recordQuarantinedInput } from '../record-quarantine';
import type { UploadFileResult, UploadReport } from './ingest-upload';
import type { UploadLimits } from './upload-limits';
import { UploadService } from './upload-service';

const log = pino({ level: 'silent' });
const ORIGIN = 'http://triage.test';
const PASSWORD = 'a long enough test password';
const LIMITS: UploadLimits = { maxRequestBytes: 4 * 1024 * 1024, maxFiles: 40, maxUncompressedBytes: 8 * 1024 * 1024, maxCompressionRatio: 100 };

/** A browser's upload from our origin, signed in with `cookie`. */
function post(body: BodyInit, cookie: string, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', body, headers: { host: 'triage.test', origin: ORIGIN, cookie, ...headers }, duplex: 'half' };
  return upload.POST(new Request(`${ORIGIN}/api/upload`, init));
}

function form(files: [string, Uint8Array][]): FormData {
  const data = new FormData();
  for (const [name, bytes] of files) data.append('files', new Blob([Buffer.from(bytes)]), name);
  return data;
}

const byName = (report: UploadReport) => Object.fromEntries(report.files.map((f) => [f.name, f])) as Record<string, UploadFileResult>;
const codeOf = (f: UploadFileResult | undefined) => (f && 'error' in f ? f.error.code : undefined);

/** The zip's central directory entries' offsets (fflate writes one per file, in order). */
function centralEntries(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const offsets: number[] = [];
  let p = view.getUint32(eocd + 16, true);
  for (let n = 0; n < view.getUint16(eocd + 10, true); n++) {
    offsets.push(p);
    p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return offsets;
}

describe('POST /api/upload and GET /api/quarantine (real route handlers, ingest and SQLite)', () => {
  let dir: string;
  let db: Database;
  let admin: string;
  const study = generatePhantomStudy({ seed: 77, slices: 6, size: 64 });
  const slice = (i: number) => study.slices[i]!.bytes;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-'));
    db = await openDatabase({ dataDir: dir, log });
    const ingest = new IngestService({
      files: new DicomFileStore(join(dir, 'dicom')),
      quarantine: new QuarantineStore(join(dir, 'quarantine')),
      record: async (received) => {
        await recordInstance(db.prisma, received);
      },
      recordQuarantine: (entry) => recordQuarantinedInput(db.prisma, entry),
      log,
    });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    // Only what these routes use; the other services stay unset (the cast keeps this test
    // compiling as the registry grows).
    registerServices({
      ...({} as ServerServices),
      upload: new UploadService({ limits: LIMITS, ingest: (bytes, source) => ingest.ingest(bytes, source), log }).receive,
      quarantine: (query) => listQuarantine(db.prisma, query),
      auth,
      audit: new AuditService({ prisma: db.prisma, provider: db.provider }),
    });
    await db.prisma.user.create({ data: { username: 'pacs.admin', role: 'admin', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false } });
    const r = await auth.login({ username: 'pacs.admin', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    admin = `ich_session=${r.token}`;
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores plain files and zip entries, quarantines what is not DICOM, and accounts for every one', async () => {
    const zip = zipSync({ 'study/a.dcm': slice(2), 'study/b.dcm': slice(3), 'study/sub/c.dcm': slice(4), 'study/readme.txt': new TextEncoder().encode('hello') });
    const res = await post(form([['one.dcm', slice(0)], ['two.dcm', slice(1)], ['study.zip', zip], ['notes.txt', new TextEncoder().encode('not dicom')]]), admin);
    expect(res.status).toBe(200);
    const report = (await res.json()) as UploadReport;
    expect(report.summary).toEqual({ stored: 5, duplicate: 0, quarantined: 2, refused: 0, failed: 0 });
    const files = byName(report);
    expect(Object.keys(files).sort()).toEqual(['notes.txt', 'one.dcm', 'study.zip/study/a.dcm', 'study.zip/study/b.dcm', 'study.zip/study/readme.txt', 'study.zip/study/sub/c.dcm', 'two.dcm']);
    expect(files['study.zip/study/sub/c.dcm']).toMatchObject({ status: 'stored', sopInstanceUid: study.slices[4]!.sopInstanceUid, studyInstanceUid: study.studyInstanceUid });
    expect(codeOf(files['notes.txt'])).toBe('DICOM_NOT_DICOM');

    expect(await db.prisma.instance.count()).toBe(5);
    const quarantined = await db.prisma.quarantinedInput.findMany();
    expect(quarantined).toHaveLength(2);
    // The sender is the signed-in user, never anything from the files.
    expect(quarantined.every((q) => q.source === 'upload' && q.origin === 'upload:pacs.admin')).toBe(true);

    // The journal: who uploaded what became of how many files, which studies and quarantine entries; never a file name.
    const journal = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'upload.received' } });
    expect(journal.actorUsername).toBe('pacs.admin');
    expect(JSON.parse(journal.details)).toEqual({
      httpStatus: 200,
      files: 7,
      stored: 5,
      duplicate: 0,
      quarantined: 2,
      refused: 0,
      failed: 0,
      problems: { DICOM_NOT_DICOM: 2 },
      studies: [study.studyInstanceUid],
      studyCount: 1,
      quarantineIds: report.files.flatMap((f) => (f.status === 'quarantined' ? [f.quarantineId] : [])),
    });
    expect(journal.details).not.toMatch(/notes|readme|one\.dcm/);
    // Names that could hold a patient's are not kept with the quarantined file either.
    expect(quarantined.map((q) => q.fileName)).toEqual([null, null]);
    expect(quarantined.map((q) => q.id).sort()).toEqual(JSON.parse(journal.details).quarantineIds.sort());

    const again = (await (await post(form([['one.dcm', slice(0)]]), admin)).json()) as UploadReport;
    expect(again.summary).toMatchObject({ duplicate: 1, stored: 0 });
  });

  it('refuses zip bombs: a high ratio, a header that lies about the size, overlapping entries', async () => {
    const zeros = new Uint8Array(16 * 1024 * 1024);
    const bomb = zipSync({ 'bomb.dcm': zeros, 'fine.dcm': slice(5) }, { level: 9 });
    const report = (await (await post(form([['bomb.zip', bomb]]), admin)).json()) as UploadReport;
    const files = byName(report);
    expect(files['bomb.zip/bomb.dcm']).toMatchObject({ status: 'refused', error: { code: 'UPLOAD_ZIP_BOMB', message: expect.stringMatching(/compression ratio \d+:1 is above the 100:1 limit/) } });
    expect(files['bomb.zip/fine.dcm']?.status).toBe('stored');

    // The same bomb, but both headers claim it inflates to twice its compressed size only.
    const liar = zipSync({ 'liar.dcm': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    const view = new DataView(liar.buffer);
    const central = centralEntries(liar)[0]!;
    const claimed = view.getUint32(central + 20, true) * 2;
    view.setUint32(central + 24, claimed, true);
    view.setUint32(22, claimed, true);
    const lied = (await (await post(form([['liar.zip', liar]]), admin)).json()) as UploadReport;
    expect(lied.files).toEqual([{ name: 'liar.zip/liar.dcm', status: 'refused', error: { code: 'UPLOAD_ZIP_BOMB', message: 'zip entry inflates to more than its header declares: refused' } }]);

    // Two directory entries sharing one compressed stream (the non-recursive zip bomb).
    const one = zipSync({ 'a.dcm': slice(0) });
    const cd = centralEntries(one)[0]!;
    const eocd = one.length - 22;
    const entry = one.slice(cd, eocd);
    const twin = entry.slice();
    twin[46] = 'b'.charCodeAt(0);
    const end = one.slice(eocd);
    const endView = new DataView(end.buffer);
    endView.setUint16(8, 2, true);
    endView.setUint16(10, 2, true);
    endView.setUint32(12, entry.length * 2, true);
    const overlapping = Buffer.concat([one.subarray(0, eocd), twin, end]);
    const o = (await (await post(form([['overlap.zip', overlapping]]), admin)).json()) as UploadReport;
    expect(o.files).toEqual([{ name: 'overlap.zip', status: 'refused', error: { code: 'UPLOAD_ZIP_BOMB', message: expect.stringMatching(/overlap/) } }]);
  });

  it('refuses unsafe entry names and zips inside zips, and still takes the rest', async () => {
    const inner = zipSync({ 'x.dcm': slice(1) });
    const zip = zipSync({ '../escape.dcm': slice(1), '/etc/abs.dcm': slice(1), 'dir\\win.dcm': slice(1), 'C:/drive.dcm': slice(1), 'inner.zip': inner, 'disguised.dcm': inner, 'ok/../../up.dcm': slice(1), 'good.dcm': slice(1) });
    const files = byName((await (await post(form([['names.zip', zip]]), admin)).json()) as UploadReport);
    for (const name of ['../escape.dcm', '/etc/abs.dcm', 'dir\\win.dcm', 'C:/drive.dcm', 'ok/../../up.dcm']) expect(codeOf(files[`names.zip/${name}`]), name).toBe('UPLOAD_UNSAFE_NAME');
    expect(codeOf(files['names.zip/inner.zip'])).toBe('UPLOAD_NESTED_ZIP');
    expect(codeOf(files['names.zip/disguised.dcm'])).toBe('UPLOAD_NESTED_ZIP');
    expect(files['names.zip/good.dcm']?.status).toBe('duplicate');
    // A DICOM file whose preamble happens to start like a zip is still DICOM.
    const dual = slice(2).slice();
    dual.set([0x50, 0x4b, 0x03, 0x04], 0);
    const dualReport = (await (await post(form([['dual.dcm', dual]]), admin)).json()) as UploadReport;
    expect(dualReport.files[0]?.status).toBe('stored');
    // A plain file's own name is judged the same way.
    const plain = (await (await post(form([['../../x.dcm', slice(1)]]), admin)).json()) as UploadReport;
    expect(codeOf(plain.files[0])).toBe('UPLOAD_UNSAFE_NAME');
  });

  it('refuses damaged zips entry by entry or whole, with the reason', async () => {
    const zip = zipSync({ 'a.dcm': slice(0) });
    const truncated = zip.subarray(0, zip.length - 30);
    const corrupt = zip.slice();
    corrupt[40] = corrupt[40]! ^ 0xff; // inside the compressed data
    const report = (await (await post(form([['truncated.zip', truncated], ['corrupt.zip', corrupt]]), admin)).json()) as UploadReport;
    const files = byName(report);
    expect(files['truncated.zip']).toMatchObject({ status: 'refused', error: { code: 'UPLOAD_BAD_ZIP' } });
    expect(files['corrupt.zip/a.dcm']).toMatchObject({ status: 'refused', error: { code: 'UPLOAD_BAD_ZIP' } });
  });

  it('refuses too many files, too much inflated data and too large a request whole, storing nothing', async () => {
    const before = await db.prisma.instance.count();
    const many = zipSync(Object.fromEntries(Array.from({ length: LIMITS.maxFiles + 1 }, (_, i) => [`f${i}.dcm`, new Uint8Array([i])])));
    const tooMany = await post(form([['many.zip', many], ['new.dcm', generatePhantomStudy({ seed: 1, slices: 1, size: 32 }).slices[0]!.bytes]]), admin);
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toEqual({ error: { code: 'UPLOAD_TOO_MANY_FILES', message: '42 files (zip entries included), more than the 40 one upload may hold: split it' } });

    // Each entry's ratio is fine; together they inflate past the limit.
    const random = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    const big = zipSync({ 'a.bin': random, 'b.bin': random, 'c.bin': random }, { level: 0 });
    const bigRes = await post(form([['big.zip', big]]), admin);
    expect(bigRes.status).toBe(413); // the 9 MiB zip is also over the 4 MiB request limit
    // One bit of entropy per byte deflates about 7:1, under the 100:1 ratio limit.
    const bits = randomBytes(3 * 1024 * 1024).map((b) => b & 1);
    const twoZips = [zipSync({ 'a.bin': bits, 'b.bin': bits }), zipSync({ 'c.bin': bits })];
    expect(twoZips[0]!.length + twoZips[1]!.length).toBeLessThan(LIMITS.maxRequestBytes / 2);
    const inflated = await post(form([['x.zip', twoZips[0]!], ['y.zip', twoZips[1]!]]), admin);
    expect(inflated.status).toBe(413);
    expect(await inflated.json()).toMatchObject({ error: { code: 'UPLOAD_TOO_LARGE', message: expect.stringMatching(/zips expand to 9 MiB, more than the 8 MiB/) } });

    // Declared too large: refused before reading. Streamed without a length: stopped at the limit.
    const declared = await post('x', admin, { 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(LIMITS.maxRequestBytes + 1) });
    expect(declared.status).toBe(413);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="files"; filename="x.dcm"\r\n\r\n'));
      },
      pull(controller) {
        sent += 65536;
        controller.enqueue(new Uint8Array(65536));
      },
    });
    const streamed = await post(endless, admin, { 'content-type': 'multipart/form-data; boundary=b' });
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: 'UPLOAD_TOO_LARGE' } });
    expect(sent).toBeLessThan(LIMITS.maxRequestBytes * 2);
    expect(await db.prisma.instance.count()).toBe(before);
  });

  it('refuses what is not a multipart form, or holds no file', async () => {
    expect((await post('{}', admin, { 'content-type': 'application/json' })).status).toBe(415);
    const empty = new FormData();
    empty.append('note', 'no file here');
    const res = await post(empty, admin);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/no files/) } });
    const broken = await post('--b\r\nContent-Disposition: form-data; name="files"; filename="x.dcm"\r\n\r\nabc', admin, { 'content-type': 'multipart/form-data; boundary=b' });
    expect([400, 422]).toContain(broken.status);
  });

  it('lists the quarantine newest first, a page at a time, without patient data', async () => {
    const get = async (query: string) => {
      const res = await quarantineRoute.GET(new Request(`${ORIGIN}/api/quarantine${query}`, { headers: { host: 'triage.test', cookie: admin } }));
      return { status: res.status, body: (await res.json()) as QuarantinePage };
    };
    const all = await get('?limit=200');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(all.body.items.length);
    expect(all.body.items.length).toBeGreaterThanOrEqual(2);
    const times = all.body.items.map((i) => i.receivedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(Object.keys(all.body.items[0]!).sort()).toEqual(['errorCode', 'fileName', 'id', 'message', 'origin', 'receivedAt', 'sender', 'sizeBytes', 'source']);

    const first = await get('?limit=1');
    expect(first.body.items).toEqual([all.body.items[0]]);
    const second = await get(`?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toEqual([all.body.items[1]]);
    expect((await get('?limit=0')).status).toBe(422);
    expect((await get('?cursor=../x')).status).toBe(422);
  });
});
