import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as retryRoute from '@/app/api/outbox/[id]/retry/route';
import * as outboxRoute from '@/app/api/outbox/route';
import * as metricsRoute from '@/app/metrics/route';
import type { OutboxView } from '@/lib/outbox';
import { AuditService } from '@/server/audit';
import type { Principal } from '@/server/auth/principal';
import { openDatabase, type Database } from '@/server/db';
import { registerServices, type ServerServices } from '@/server/http';
import { ServerMetrics } from '@/server/metrics';
import { enqueueOutbox } from './enqueue-outbox';
import { OutboxAdmin } from './outbox-admin-service';

const admin: Principal = { kind: 'user', userId: 'u-admin', username: 'ada', role: 'admin', sessionId: 's1', mustChangePassword: false };
const clinician: Principal = { kind: 'user', userId: 'u1', username: 'cara', role: 'clinician', sessionId: 's2', mustChangePassword: false };
const PRINCIPALS: Record<string, Principal> = { ada: admin, cara: clinician };
const req = (path: string, bearer?: string, method = 'GET') =>
  new Request(`http://triage.local${path}`, { method, headers: { host: 'triage.local', ...(method === 'GET' ? {} : { origin: 'http://triage.local' }), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });

describe('the outbox admin API and gauge (SQLite)', () => {
  let dir: string;
  let db: Database;
  let audit: AuditService;
  let failedId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-routes-'));
    db = await openDatabase({ dataDir: dir, log: pino({ level: 'silent' }) });
    audit = new AuditService({ prisma: db.prisma, provider: db.provider });
    registerServices({
      auth: { authenticate: async (h: Pick<Headers, 'get'>) => PRINCIPALS[h.get('authorization')?.replace(/^Bearer /, '') ?? ''] ?? null },
      log: pino({ level: 'silent' }),
      audit,
      outbox: new OutboxAdmin(db.prisma, audit),
      metrics: new ServerMetrics({ prisma: db.prisma, role: 'all' }),
    } as unknown as ServerServices);
    await enqueueOutbox(db.prisma, { kind: 'webhook', eventId: 'webhook:e1', studyInstanceUid: '1.2.3.1', payload: { secret: 'PHI-LIKE' } });
    await enqueueOutbox(db.prisma, { kind: 'fhir', eventId: 'fhir:e1', studyInstanceUid: '1.2.3.1', payload: {} });
    const failed = await db.prisma.outboxMessage.update({ where: { eventId: 'fhir:e1' }, data: { state: 'failed', attempts: 12, lastError: 'the FHIR server answered HTTP 401 Unauthorized' } });
    failedId = failed.id;
  }, 60_000);
  afterAll(async () => {
    registerServices(undefined as unknown as ServerServices);
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a stranger 401 and a clinician 403', async () => {
    expect((await outboxRoute.GET(req('/api/outbox'))).status).toBe(401);
    expect((await outboxRoute.GET(req('/api/outbox', 'cara'))).status).toBe(403);
    expect((await retryRoute.POST(req(`/api/outbox/${failedId}/retry`, 'cara', 'POST'), { params: Promise.resolve({ id: failedId }) })).status).toBe(403);
  });

  it('lists rows with the backlog, failed count and last error for an admin, never the payload', async () => {
    const res = await outboxRoute.GET(req('/api/outbox', 'ada'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('PHI-LIKE');
    const view = JSON.parse(text) as OutboxView;
    expect(view.summary).toMatchObject({ backlog: 1, failed: 1, delivered: 0, lastError: { kind: 'fhir', error: 'the FHIR server answered HTTP 401 Unauthorized' }, kinds: ['fhir', 'webhook'] });
    expect(view.rows).toHaveLength(2);
    const onlyFailed = (await (await outboxRoute.GET(req('/api/outbox?state=failed', 'ada'))).json()) as OutboxView;
    expect(onlyFailed.rows.map((r) => [r.kind, r.state, r.attempts])).toEqual([['fhir', 'failed', 12]]);
    expect((await outboxRoute.GET(req('/api/outbox?state=lost', 'ada'))).status).toBe(422);
  });

  it('exports the backlog per kind and state in /metrics', async () => {
    const body = await (await metricsRoute.GET(req('/metrics', 'ada'))).text();
    expect(body).toMatch(/ich_outbox_messages\{kind="webhook",state="pending",role="all"\} 1/);
    expect(body).toMatch(/ich_outbox_messages\{kind="fhir",state="failed",role="all"\} 1/);
  });

  it('retries a failed row for an admin (journaled against the study), refuses a delivered one, 404s an unknown one', async () => {
    const res = await retryRoute.POST(req(`/api/outbox/${failedId}/retry`, 'ada', 'POST'), { params: Promise.resolve({ id: failedId }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: failedId, state: 'pending' });
    expect(await db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: failedId } })).toMatchObject({ state: 'pending', attempts: 0 });
    const timeline = await audit.timeline('1.2.3.1');
    expect(timeline.map((e) => [e.action, e.actorUsername, e.details])).toEqual([['outbox.retried', 'ada', { kind: 'fhir', eventId: 'fhir:e1', previousState: 'failed', attemptsBefore: 12 }]]);

    await db.prisma.outboxMessage.update({ where: { id: failedId }, data: { state: 'delivered' } });
    const again = await retryRoute.POST(req(`/api/outbox/${failedId}/retry`, 'ada', 'POST'), { params: Promise.resolve({ id: failedId }) });
    expect(again.status).toBe(422);
    const unknown = await retryRoute.POST(req('/api/outbox/nope/retry', 'ada', 'POST'), { params: Promise.resolve({ id: 'nope' }) });
    expect(unknown.status).toBe(404);
  });
});
