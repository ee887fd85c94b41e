import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as quarantineItem from '@/app/api/quarantine/[id]/route';
import * as quarantineFile from '@/app/api/quarantine/[id]/file/route';
import * as quarantineReingest from '@/app/api/quarantine/[id]/reingest/route';
import * as quarantineList from '@/app/api/quarantine/route';
import { AuditService, verifyAuditChain } from '@/server/audit';
import { AuthService } from '@/server/auth/auth-service';
import { hashPassword } from '@/server/auth/password-hasher';
import { openDatabase, type Database } from '@/server/db';
import { DicomFileStore } from '@/server/files';
import { registerServices, type ServerServices } from '@/server/http';
import { generatePhantomStudy } from '@/server/phantoms';
import { allTestDatabases } from '@/test/support/test-databases';
import { IngestService } from './ingest-service';
import { QuarantineAdmin } from './quarantine-admin';
import { listQuarantine, type QuarantinePage } from './quarantine-query';
import { QuarantineStore } from './quarantine-store';
import { recordInstance } from './record-instance';
import { recordQuarantinedInput } from './record-quarantine';

const log = pino({ level: 'silent' });
const ORIGIN = 'http://triage.test';
const PASSWORD = 'a long enough test password';

describe.each(allTestDatabases())('quarantine: names, download, delete, re-ingest on $provider', (dbs) => {
  let db: Database;
  let cookie: string;
  let quarantine: QuarantineStore;
  let ingest: IngestService;
  const study = generatePhantomStudy({ seed: 91, slices: 2, size: 64 });

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const t = await dbs.fresh();
    db = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, log });
    const files = new DicomFileStore(join(t.dataDir, `dicom-${db.provider}`));
    quarantine = new QuarantineStore(join(t.dataDir, `quarantine-${db.provider}`));
    const record = async (received: Parameters<typeof recordInstance>[1]) => void (await recordInstance(db.prisma, received));
    ingest = new IngestService({ files, quarantine, record, recordQuarantine: (entry) => recordQuarantinedInput(db.prisma, entry), log });
    const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
    const audit = new AuditService({ prisma: db.prisma, provider: db.provider });
    registerServices({
      auth,
      audit,
      quarantine: (query) => listQuarantine(db.prisma, query),
      quarantineAdmin: new QuarantineAdmin({ prisma: db.prisma, audit: audit.log, quarantine, files, record, log }),
    } as Partial<ServerServices> as ServerServices);
    await db.prisma.user.create({ data: { username: 'root', role: 'admin', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false } });
    const r = await auth.login({ username: 'root', password: PASSWORD });
    if (!r.ok) throw new Error('login failed');
    cookie = `ich_session=${r.token}`;
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dbs.stop();
  });

  const req = (path: string, method = 'GET') => new Request(`${ORIGIN}${path}`, { method, headers: { host: 'triage.test', cookie, origin: ORIGIN, 'x-forwarded-for': '10.2.3.4' } });
  const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
  const list = async () => (await (await quarantineList.GET(req('/api/quarantine?limit=200'))).json()) as QuarantinePage;
  const journal = (action: string) => db.prisma.auditEvent.findMany({ where: { action }, orderBy: { seq: 'asc' } });

  it.skipIf(dbs.unavailable)('lists sender, size, reason and time, and a file name only when it cannot carry a patient name', async () => {
    const junk = new TextEncoder().encode('not dicom at all');
    const named = await ingest.ingest(junk, { channel: 'upload', sender: 'root', fileName: 'batch.zip/IM000123.dcm' });
    const risky = await ingest.ingest(junk, { channel: 'upload', sender: 'token:pacs', fileName: 'DOE_JANE_head.dcm' });
    const scanner = await ingest.ingest(junk, { channel: 'dimse', sender: 'CT_SCANNER_1' });
    if (named.status !== 'quarantined' || risky.status !== 'quarantined' || scanner.status !== 'quarantined') throw new Error('expected quarantine');
    const byId = new Map((await list()).items.map((i) => [i.id, i]));
    expect(byId.get(named.quarantineId)).toMatchObject({ fileName: 'IM000123.dcm', sender: { channel: 'upload', name: 'root' }, sizeBytes: junk.length, errorCode: 'DICOM_NOT_DICOM' });
    expect(byId.get(risky.quarantineId)).toMatchObject({ fileName: null, sender: { channel: 'upload', name: 'token:pacs' } });
    expect(byId.get(scanner.quarantineId)).toMatchObject({ fileName: null, sender: { channel: 'dimse', name: 'CT_SCANNER_1' }, source: 'c_store' });
    expect(JSON.stringify([...byId.values()])).not.toContain('DOE');
    expect((await journal('quarantine.viewed')).at(-1)).toMatchObject({ actorUsername: 'root', ip: '10.2.3.4' });
  });

  it.skipIf(dbs.unavailable)('downloads the original bytes, named by id, journaled', async () => {
    const bytes = new TextEncoder().encode('original bytes 123');
    const q = await ingest.ingest(bytes, { channel: 'upload', sender: 'root' });
    if (q.status !== 'quarantined') throw new Error('expected quarantine');
    const res = await quarantineFile.GET(req(`/api/quarantine/${q.quarantineId}/file`), ctx(q.quarantineId));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="quarantine-${q.quarantineId}.bin"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    expect((await journal('quarantine.downloaded')).map((e) => [e.targetType, e.targetId, e.actorUsername])).toEqual([['quarantine', q.quarantineId, 'root']]);
    expect((await quarantineFile.GET(req('/api/quarantine/nope/file'), ctx('nope'))).status).toBe(404);
  });

  it.skipIf(dbs.unavailable)('deletes an entry with its files, journaled; a second delete is 404', async () => {
    const q = await ingest.ingest(new TextEncoder().encode('to delete'), { channel: 'upload', sender: 'root' });
    if (q.status !== 'quarantined') throw new Error('expected quarantine');
    const row = await db.prisma.quarantinedInput.findUniqueOrThrow({ where: { id: q.quarantineId } });
    expect(existsSync(join(quarantine.root, row.storedPath))).toBe(true);
    expect((await quarantineItem.DELETE(req(`/api/quarantine/${q.quarantineId}`, 'DELETE'), ctx(q.quarantineId))).status).toBe(204);
    expect(await db.prisma.quarantinedInput.count({ where: { id: q.quarantineId } })).toBe(0);
    expect(existsSync(join(quarantine.root, row.storedPath))).toBe(false);
    expect(existsSync(join(quarantine.root, row.storedPath.replace(/\.bin$/, '.json')))).toBe(false);
    expect((await quarantineItem.DELETE(req(`/api/quarantine/${q.quarantineId}`, 'DELETE'), ctx(q.quarantineId))).status).toBe(404);
    expect((await journal('quarantine.deleted')).map((e) => e.targetId)).toEqual([q.quarantineId]);
  });

  it.skipIf(dbs.unavailable)('re-ingest: a still-bad file stays quarantined with its reason; a fixed one is stored and leaves the quarantine', async () => {
    const bad = await ingest.ingest(new TextEncoder().encode('still not dicom'), { channel: 'upload', sender: 'root' });
    if (bad.status !== 'quarantined') throw new Error('expected quarantine');
    const before = await db.prisma.quarantinedInput.count();
    const again = await quarantineReingest.POST(req(`/api/quarantine/${bad.quarantineId}/reingest`, 'POST'), ctx(bad.quarantineId));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'quarantined', error: { code: 'DICOM_NOT_DICOM' } });
    expect(await db.prisma.quarantinedInput.count()).toBe(before); // no second copy
    expect(await db.prisma.quarantinedInput.findUnique({ where: { id: bad.quarantineId } })).not.toBeNull();

    // A good CT slice that an earlier rule refused (e.g. a calling AE title not yet allowed).
    const slice = study.slices[0]!;
    const kept = await quarantine.keep(slice.bytes, { code: 'DICOM_AE_NOT_ALLOWED', message: 'calling AE not allowed' }, 'dimse:NEW_CT');
    await recordQuarantinedInput(db.prisma, { ...kept, code: 'DICOM_AE_NOT_ALLOWED', message: 'calling AE not allowed', source: { channel: 'dimse', sender: 'NEW_CT' } });
    const fixed = await quarantineReingest.POST(req(`/api/quarantine/${kept.id}/reingest`, 'POST'), ctx(kept.id));
    expect(await fixed.json()).toEqual({ status: 'stored', studyInstanceUid: study.studyInstanceUid });
    expect(await db.prisma.instance.count({ where: { SOPInstanceUID: slice.sopInstanceUid } })).toBe(1);
    expect(await db.prisma.quarantinedInput.findUnique({ where: { id: kept.id } })).toBeNull();
    expect(existsSync(join(quarantine.root, kept.relativePath))).toBe(false);
    const entries = await journal('quarantine.reingested');
    expect(entries.map((e) => [e.targetId, JSON.parse(e.details).outcome])).toEqual([
      [bad.quarantineId, 'quarantined'],
      [kept.id, 'stored'],
    ]);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true });
  });
});
