import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as auditRoute from '@/app/api/audit/route';
import * as studyAudit from '@/app/api/studies/[studyInstanceUid]/audit/route';
import * as studyRoute from '@/app/api/studies/[studyInstanceUid]/route';
import * as sliceRoute from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/route';
import type { Principal } from '@/server/auth/principal';
import { registerServices, type ServerServices } from '@/server/http';

const admin: Principal = { kind: 'user', userId: 'u1', username: 'ada', role: 'admin', sessionId: 's1', mustChangePassword: false };
const UNSAFE = ['..', '.', '../../etc/passwd', '1.2/3', '%2e%2e', '..%2F..', '1%2F2', '-x', '1'.repeat(65), `ID_${'a'.repeat(62)}`, 'a b', 'ID_é'];

/** Services that record which UIDs reached them: an unsafe UID must be refused before. */
function services(reached: string[]): ServerServices {
  const none = async (uid: string) => {
    reached.push(uid);
    return undefined;
  };
  return {
    auth: { authenticate: async () => admin },
    log: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} },
    study: none,
    viewer: { slice: async (s: string, sop: string) => { reached.push(s, sop); throw Object.assign(new Error('x'), { code: 'NOT_FOUND' }); } },
    audit: { studyTimeline: none, query: async () => ({ entries: [], nextCursor: null }), recordStudyView: async () => {} },
  } as unknown as ServerServices;
}

const get = (path: string) => new Request(`http://triage.local${path}`, { headers: { host: 'triage.local', cookie: 'ich_session=x' } });
const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });

describe('UIDs in URLs (lib/dicom-uid)', () => {
  const reached: string[] = [];
  beforeEach(() => {
    reached.length = 0;
    registerServices(services(reached));
  });
  afterEach(() => registerServices(undefined as unknown as ServerServices));

  it.each(UNSAFE)('refuses %j with 422 before any service sees it', async (bad) => {
    for (const res of [
      await studyRoute.GET(get('/api/studies/x'), ctx({ studyInstanceUid: bad })),
      await studyAudit.GET(get('/api/studies/x/audit'), ctx({ studyInstanceUid: bad })),
      await sliceRoute.GET(get('/api/studies/x/slices/y'), ctx({ studyInstanceUid: '1.2.3', sopInstanceUid: bad })),
      await sliceRoute.GET(get('/api/studies/x/slices/y'), ctx({ studyInstanceUid: bad, sopInstanceUid: '1.2.3' })),
      await auditRoute.GET(get(`/api/audit?study=${encodeURIComponent(bad)}`)),
    ]) {
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe('VALIDATION_FAILED');
    }
    expect(reached).toEqual([]);
  });

  it('lets a safe non-conformant UID (RSNA 2019) through to the services', async () => {
    const res = await studyRoute.GET(get('/api/studies/ID_0a1b2c3d4'), ctx({ studyInstanceUid: 'ID_0a1b2c3d4' }));
    expect(res.status).toBe(404);
    expect(reached).toEqual(['ID_0a1b2c3d4']);
  });
});
