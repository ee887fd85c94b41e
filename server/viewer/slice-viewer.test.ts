import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as sliceLocalization from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/localization/route';
import * as sliceHu from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/route';
import { isAppError } from '@/lib/errors';
import { LABELS } from '@/lib/labels';
import { SLICE_HEADERS, type SliceLocalization } from '@/lib/study-detail';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import type { Database } from '@/server/db';
import { decodeCtSlice } from '@/server/dicom';
import { AuditService } from '@/server/audit';
import { registerServices } from '@/server/http';
import { InferenceEngine } from '@/server/inference';
import { generatePhantomStudy, type PhantomStudy } from '@/server/phantoms';
import { readStudyDetail } from '@/server/triage/study-query';
import { createPipelineStack, TEST_MODEL_MANIFEST } from '@/test/support/pipeline-stack';
import { allTestDatabases, sqliteDatabases } from '@/test/support/test-databases';
import { SliceViewer } from './slice-viewer';
import * as studyRoute from '@/app/api/studies/[studyInstanceUid]/route';
import type { StudyDetail } from '@/lib/study-detail';

const log = pino({ level: 'silent' });
const MANIFEST = TEST_MODEL_MANIFEST;

/** Real phantom DICOM through the real ingest and pipeline (tiny test model), then the viewer on top. */
async function triagedStudy(dataDir: string, databaseUrl: string | undefined, engine: InferenceEngine, phantom: PhantomStudy, corrupt: number[] = []) {
  const { db, files, pipeline, ingest } = await createPipelineStack({ dataDir, databaseUrl, engine, quietPeriodMs: 500 });
  pipeline.start();
  for (const [i, s] of phantom.slices.entries()) {
    const bytes = corrupt.includes(i) ? s.bytes.slice(0, s.bytes.length - 1000) : s.bytes;
    expect((await ingest.ingest(bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');
  }
  const end = Date.now() + 30_000;
  while (!(await db.prisma.study.findFirst({ where: { StudyInstanceUID: phantom.studyInstanceUid, status: 'triaged' } }))) {
    if (Date.now() > end) throw new Error('study was not triaged in time');
    await new Promise((r) => setTimeout(r, 50));
  }
  await pipeline.stop();
  return { db, files };
}

function int16LE(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.byteLength / 2 }, (_, i) => view.getInt16(i * 2, true));
}

describe.each(allTestDatabases())('study view slices on $provider', (dbs) => {
  let dataDir: string;
  let engine: InferenceEngine;
  let db: Database | undefined;

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterAll(() => dbs.stop());
  beforeEach(async (ctx) => {
    if (dbs.unavailable) return ctx.skip();
    dataDir = mkdtempSync(join(tmpdir(), 'viewer-'));
    engine = await InferenceEngine.create({ manifestPath: MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
  });
  afterEach(async () => {
    if (dbs.unavailable) return;
    await engine.close();
    await db?.close();
    db = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves each slice as the HU the decoder reads, with geometry, and the localization maps in 0..1', async () => {
    const target = await dbs.fresh();
    const phantom = generatePhantomStudy({ seed: 21, slices: 4, size: 64, hemorrhage: 'subdural' });
    const stack = await triagedStudy(target.databaseUrl ? dataDir : target.dataDir, target.databaseUrl, engine, phantom);
    db = stack.db;
    const viewer = new SliceViewer(db.prisma, stack.files);

    for (const s of phantom.slices) {
      const slice = await viewer.slice(phantom.studyInstanceUid, s.sopInstanceUid);
      const expected = (await decodeCtSlice(s.bytes)).hu;
      expect([slice.rows, slice.columns]).toEqual([64, 64]);
      expect(slice.pixelSpacing).toEqual(phantom.pixelSpacing);
      expect(slice.position).toBeCloseTo(s.z, 3);
      const hu = int16LE(slice.body);
      expect(hu.length).toBe(64 * 64);
      let maxDiff = 0;
      for (let i = 0; i < hu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(hu[i]! - expected.hu[i]!));
      expect(maxDiff).toBeLessThanOrEqual(0.5);
      // Real anatomy: air outside, bone in the skull.
      expect(Math.min(...hu)).toBeLessThan(-900);
      expect(Math.max(...hu)).toBeGreaterThan(500);
    }
    // A second read is the same object from the cache.
    const first = phantom.slices[0]!.sopInstanceUid;
    expect(await viewer.slice(phantom.studyInstanceUid, first)).toBe(await viewer.slice(phantom.studyInstanceUid, first));

    const loc = await viewer.localization(phantom.studyInstanceUid, first);
    expect(loc.modelVersion).toBe('tiny-test@0.1.0');
    expect(Object.keys(loc.maps)).toEqual([...LABELS]);
    for (const label of LABELS) {
      expect(loc.maps[label]).toHaveLength(loc.height * loc.width);
      expect(loc.maps[label].every((v) => v >= 0 && v <= 1)).toBe(true);
    }

    // The study detail carries what the chart and summary need.
    const detail = (await readStudyDetail(db.prisma, phantom.studyInstanceUid, { manifest: engine.manifest }))!;
    expect(detail.model).toEqual({ name: 'tiny-test', version: '0.1.0', provider: 'cpu', aggregation: expect.any(String) });
    expect(detail.operatingPoints).toEqual(Object.fromEntries(LABELS.map((l) => [l, engine.manifest.operatingPoints[l].threshold])));
    expect((await readStudyDetail(db.prisma, phantom.studyInstanceUid))!.operatingPoints).toBeNull();
  });

  it('refuses an unknown slice, a slice of another study, and an undecodable slice with the decoder’s code', async () => {
    const target = await dbs.fresh();
    const phantom = generatePhantomStudy({ seed: 22, slices: 3, size: 64 });
    const stack = await triagedStudy(target.databaseUrl ? dataDir : target.dataDir, target.databaseUrl, engine, phantom, [1]);
    db = stack.db;
    const viewer = new SliceViewer(db.prisma, stack.files);
    const error = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => (isAppError(err) ? { code: err.code, status: err.status, details: err.details } : err));

    expect(await error(viewer.slice(phantom.studyInstanceUid, '1.2.3.4'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await error(viewer.slice('1.2.3', phantom.slices[0]!.sopInstanceUid))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const failed = await error(viewer.slice(phantom.studyInstanceUid, phantom.slices[1]!.sopInstanceUid));
    expect(failed).toMatchObject({ code: 'SLICE_NOT_DECODED', status: 409, details: { decodeError: { code: expect.stringMatching(/^DICOM_/) } } });
    expect(await error(viewer.localization(phantom.studyInstanceUid, phantom.slices[1]!.sopInstanceUid))).toMatchObject({ code: 'NOT_FOUND' });

    // After retention deleted the files, the viewer says so (410) instead of "missing".
    await db.prisma.study.update({ where: { StudyInstanceUID: phantom.studyInstanceUid }, data: { filesPurgedAt: new Date('2026-11-20T00:00:00Z') } });
    expect(await error(new SliceViewer(db.prisma, stack.files).slice(phantom.studyInstanceUid, phantom.slices[0]!.sopInstanceUid))).toMatchObject({
      code: 'STUDY_FILES_PURGED',
      status: 410,
    });
  });
});

describe('slice routes over HTTP semantics (SQLite, real route handlers)', () => {
  const dbs = sqliteDatabases();
  let dataDir: string;
  let engine: InferenceEngine;
  let db: Database;
  let phantom: PhantomStudy;
  let cookie: string;
  let adminCookie: string;

  beforeAll(async () => {
    const target = await dbs.fresh();
    dataDir = target.dataDir;
    engine = await InferenceEngine.create({ manifestPath: MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
    phantom = generatePhantomStudy({ seed: 23, slices: 3, size: 64, hemorrhage: 'epidural' });
    const stack = await triagedStudy(dataDir, undefined, engine, phantom, [2]);
    db = stack.db;
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    registerServices({
      status: () => ({ version: 't', startedAt: '', model: null }),
      worklist: async () => [],
      study: (uid, options) => readStudyDetail(db.prisma, uid, { manifest: engine.manifest, revealIdentity: options?.revealIdentity ?? false }),
      studyExists: async (uid) => (await db.prisma.study.findUnique({ where: { StudyInstanceUID: uid }, select: { id: true } })) !== null,
      ingest: async () => {
        throw new Error('not used');
      },
      operations: async () => {
        throw new Error('not used');
      },
      auth,
      viewer: new SliceViewer(db.prisma, stack.files),
      upload: async () => {
        throw new Error('not used');
      },
      quarantine: async () => {
        throw new Error('not used');
      },
      audit: new AuditService({ prisma: db.prisma, provider: db.provider }),
      actOnStudy: async () => {
        throw new Error('not used');
      },
      notifyStudyChanged: () => {},
    });
    await db.prisma.user.create({ data: { username: 'doc', role: 'clinician', passwordHash: await hashPassword('a long enough test password'), mustChangePassword: false } });
    const r = await auth.login({ username: 'doc', password: 'a long enough test password' });
    if (!r.ok) throw new Error('login failed');
    cookie = `ich_session=${r.token}`;
    await db.prisma.user.create({ data: { username: 'it', role: 'admin', passwordHash: await hashPassword('a long enough test password'), mustChangePassword: false } });
    const a = await auth.login({ username: 'it', password: 'a long enough test password' });
    if (!a.ok) throw new Error('login failed');
    adminCookie = `ich_session=${a.token}`;
  }, 60_000);
  afterAll(async () => {
    await engine.close();
    await db.close();
    await dbs.stop();
  });

  const get = (study: string, sop: string, suffix = '', headers: Record<string, string> = {}) => {
    const request = new Request(`http://triage.test/api/studies/${study}/slices/${sop}${suffix}`, { headers: { host: 'triage.test', cookie, ...headers } });
    const ctx = { params: Promise.resolve({ studyInstanceUid: study, sopInstanceUid: sop }) };
    return suffix ? sliceLocalization.GET(request, ctx) : sliceHu.GET(request, ctx);
  };

  it('answers Int16 LE HU with rows, columns, spacing and position headers, no-store (patient data), with an ETag', async () => {
    const s = phantom.slices[0]!;
    const res = await get(phantom.studyInstanceUid, s.sopInstanceUid);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get(SLICE_HEADERS.rows)).toBe('64');
    expect(res.headers.get(SLICE_HEADERS.columns)).toBe('64');
    expect(res.headers.get(SLICE_HEADERS.pixelSpacing)).toBe(phantom.pixelSpacing.join('\\'));
    expect(Number(res.headers.get(SLICE_HEADERS.position))).toBeCloseTo(s.z, 3);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.byteLength).toBe(64 * 64 * 2);
    const expected = (await decodeCtSlice(s.bytes)).hu.hu;
    const hu = int16LE(body);
    expect(hu[32 * 64 + 32]).toBe(Math.round(expected[32 * 64 + 32]!));

    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await get(phantom.studyInstanceUid, s.sopInstanceUid, '', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('answers the localization as JSON grids', async () => {
    const res = await get(phantom.studyInstanceUid, phantom.slices[0]!.sopInstanceUid, '/localization');
    expect(res.status).toBe(200);
    const loc = (await res.json()) as SliceLocalization;
    expect(loc.maps.any).toHaveLength(loc.height * loc.width);
  });

  it('answers 422 for a bad UID, 404 for an unknown slice, 409 with the decode error for a broken one, 401 without a session', async () => {
    const bad = await get('..', phantom.slices[0]!.sopInstanceUid); // not a safe UID (lib/dicom-uid.ts)
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await get(phantom.studyInstanceUid, `1.${'2'.repeat(70)}`)).status).toBe(422);
    const unknown = await get(phantom.studyInstanceUid, '1.2.3.4');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such slice in this study' } });
    const broken = await get(phantom.studyInstanceUid, phantom.slices[2]!.sopInstanceUid);
    expect(broken.status).toBe(409);
    expect(await broken.json()).toMatchObject({ error: { code: 'SLICE_NOT_DECODED', decodeError: { code: expect.stringMatching(/^DICOM_/), message: expect.any(String) } } });
    const anonymous = await sliceHu.GET(new Request(`http://triage.test/api/studies/${phantom.studyInstanceUid}/slices/x`, { headers: { host: 'triage.test' } }), {
      params: Promise.resolve({ studyInstanceUid: phantom.studyInstanceUid, sopInstanceUid: 'x' }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('gives the patient identifiers to a clinician and only the masked display to an admin', async () => {
    const detail = async (asCookie: string) => {
      const request = new Request(`http://triage.test/api/studies/${phantom.studyInstanceUid}`, { headers: { host: 'triage.test', cookie: asCookie } });
      const res = await studyRoute.GET(request, { params: Promise.resolve({ studyInstanceUid: phantom.studyInstanceUid }) });
      expect(res.status).toBe(200);
      return (await res.json()) as StudyDetail;
    };
    const stored = await db.prisma.study.findUniqueOrThrow({ where: { StudyInstanceUID: phantom.studyInstanceUid } });
    expect(stored.PatientName).toBeTruthy();
    const clinician = await detail(cookie);
    expect(clinician.patientIdentity).toMatchObject({ name: stored.PatientName, id: stored.PatientID, birthDate: stored.PatientBirthDate });
    const admin = await detail(adminCookie);
    expect(admin.patientIdentity).toBeNull();
    expect(JSON.stringify(admin)).not.toContain(stored.PatientID!);
    expect(admin.study.patient).toBe(clinician.study.patient); // the masked display, the same for both
  });
});
