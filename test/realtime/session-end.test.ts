import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_PATH } from '@/lib/realtime-events';
import { AuditLog } from '@/server/audit';
import { AuthService, hashPassword, headersFromNode, SESSION_COOKIE } from '@/server/auth';
import { UserAdmin } from '@/server/auth/user-admin';
import { openDatabase, resolveDatabaseTarget, type Database } from '@/server/db';
import { createPostgresFanout, EventJournal, RealtimeHub } from '@/server/realtime';
import { allTestDatabases, postgresDatabases, type TestDatabase } from '../support/test-databases';
import { until, worklistItem, type Client } from './hub-fixture';

const log = pino({ level: 'silent' });
const PASSWORD = 'a long enough test password';

/**
 * Issue 14 §4.2: a socket must not outlive its session. Real AuthService, UserAdmin and hub on a
 * real HTTP server, a real socket.io-client signed in with the session cookie, as a browser is.
 */
interface Node {
  db: Database;
  auth: AuthService;
  admin: UserAdmin;
  hub: RealtimeHub;
  url: string;
}

async function startNode(target: TestDatabase, options: { revalidateIntervalMs?: number; fanout?: boolean } = {}): Promise<Node> {
  const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, log });
  const auth = new AuthService({ prisma: db.prisma, log, sessionTtlMs: 3_600_000, failureFloorMs: 0 });
  const admin = new UserAdmin(db.prisma, log, new AuditLog(db.prisma, db.provider), undefined, auth.endings);
  const server = createServer();
  let fanout;
  if (options.fanout) {
    const pg = resolveDatabaseTarget({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    if (pg.provider !== 'postgresql') throw new Error('expected PostgreSQL');
    fanout = await createPostgresFanout({ url: pg.url, schema: pg.schema, log });
  }
  const hub = new RealtimeHub(
    server,
    {
      heartbeatIntervalMs: 60_000,
      status: () => ({ version: '0.0.0-test', startedAt: '2026-01-01T00:00:00.000Z', model: null }),
      authenticate: (handshake) => auth.authenticateSocket(headersFromNode(handshake.headers)),
      journal: new EventJournal(db.prisma, db.provider),
      liveSessions: (sessions) => auth.liveSessions(sessions),
      // Long by default: what is tested is the announcement, not the periodic check.
      revalidateIntervalMs: options.revalidateIntervalMs ?? 60_000,
      ...(fanout ? { fanout } : {}),
    },
    log,
  );
  auth.endings.listen((ended) => hub.disconnectSessions(ended));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.start();
  return { db, auth, admin, hub, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Signs `username` in and connects a socket with its session cookie; records when it is cut. */
async function signedInSocket(node: Node, username: string) {
  const login = await node.auth.login({ username, password: PASSWORD });
  if (!login.ok) throw new Error(login.message);
  const socket: Client = connect(node.url, {
    path: SOCKET_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: `${SESSION_COOKIE}=${login.token}` },
  });
  const state = { socket, token: login.token, live: 0, disconnectedAt: undefined as number | undefined, reason: '' };
  socket.on('study:updated', () => (state.live += 1));
  socket.on('disconnect', (reason) => {
    state.disconnectedAt = Date.now();
    state.reason = reason;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return state;
}

// argon2 is slow by design: hashed once, so a loaded CI machine spends its time on what is tested.
let passwordHash: Promise<string> | undefined;
async function createUser(db: Database, username: string, role: 'clinician' | 'radiologist' | 'admin'): Promise<string> {
  passwordHash ??= hashPassword(PASSWORD);
  return (await db.prisma.user.create({ data: { username, role, passwordHash: await passwordHash, mustChangePassword: false } })).id;
}

/** Sign-ins (argon2 verifies) are slow on a loaded machine; the 1 s bound is on the cut alone. */
const SLOW = { timeout: 120_000 };

const ADMIN = { userId: null, username: 'token:ops', ip: null };

describe.each(allTestDatabases())('sockets end with their session on $provider', (dbs) => {
  let node: Node;
  const sockets: Client[] = [];

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    node = await startNode(await dbs.fresh(), { revalidateIntervalMs: 60_000 });
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await node?.hub.stop();
    await node?.db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('cuts the socket within 1 s of signing out, and only that session', SLOW, async () => {
    await createUser(node.db, 'signout', 'clinician');
    const leaving = await signedInSocket(node, 'signout');
    const otherTab = await signedInSocket(node, 'signout'); // another sign-in of the same person
    sockets.push(leaving.socket, otherTab.socket);
    await node.hub.publishStudy('progress', worklistItem(1));
    await until(() => leaving.live === 1);

    await node.auth.logout(leaving.token);
    const at = Date.now(); // the session is revoked: from here its socket has 1 s
    await until(() => leaving.disconnectedAt !== undefined, 1000);
    expect(leaving.disconnectedAt! - at).toBeLessThan(1000);
    expect(leaving.reason).toBe('io server disconnect');
    expect(otherTab.socket.connected).toBe(true);

    await node.hub.publishStudy('progress', worklistItem(2));
    await until(() => otherTab.live === 2);
    expect(leaving.live).toBe(1);
  });

  it.skipIf(dbs.unavailable)('cuts every socket of a user within 1 s of an admin disabling the account, and refuses a new one', SLOW, async () => {
    const id = await createUser(node.db, 'disabled', 'radiologist');
    const a = await signedInSocket(node, 'disabled');
    const b = await signedInSocket(node, 'disabled');
    sockets.push(a.socket, b.socket);
    expect((await node.admin.update(ADMIN, id, { disabled: true })).ok).toBe(true);
    const at = Date.now();
    await until(() => a.disconnectedAt !== undefined && b.disconnectedAt !== undefined, 1000);
    expect(Math.max(a.disconnectedAt!, b.disconnectedAt!) - at).toBeLessThan(1000);
    // The old cookie opens nothing now.
    const again = connect(node.url, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: `${SESSION_COOKIE}=${a.token}` } });
    sockets.push(again);
    const refused = await new Promise<string>((resolve) => {
      again.once('connect', () => resolve('connected'));
      again.once('connect_error', (err) => resolve(err.message));
    });
    expect(refused).toBe('UNAUTHENTICATED');
  });

  it.skipIf(dbs.unavailable)('cuts the sockets of a user whose role an admin changed (they reconnect into the new role\'s rooms)', SLOW, async () => {
    const id = await createUser(node.db, 'promoted', 'clinician');
    const s = await signedInSocket(node, 'promoted');
    sockets.push(s.socket);
    expect((await node.admin.update(ADMIN, id, { role: 'radiologist' })).ok).toBe(true);
    await until(() => s.disconnectedAt !== undefined, 1000);
  });
});

describe.each(allTestDatabases())('sockets end when their session expires on $provider', (dbs) => {
  let node: Node;
  const sockets: Client[] = [];
  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    node = await startNode(await dbs.fresh(), { revalidateIntervalMs: 100 });
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await node?.hub.stop();
    await node?.db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('cuts a socket whose session expired (or was ended behind the hub\'s back) at the next check', SLOW, async () => {
    const id = await createUser(node.db, 'idle', 'clinician');
    const idle = await signedInSocket(node, 'idle');
    const active = await signedInSocket(node, 'idle');
    sockets.push(idle.socket, active.socket);
    const session = await node.db.prisma.session.findFirstOrThrow({ where: { userId: id }, orderBy: { createdAt: 'asc' } });
    await node.db.prisma.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await until(() => idle.disconnectedAt !== undefined, 5000);
    // The other session still stands, and its socket too, check after check.
    await new Promise((r) => setTimeout(r, 300));
    expect(active.socket.connected).toBe(true);
  });
});

describe('sockets end on every node (two nodes sharing one PostgreSQL)', () => {
  const dbs = postgresDatabases();
  const nodes: Node[] = [];
  const sockets: Client[] = [];
  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    const target = await dbs.fresh();
    nodes.push(await startNode(target, { fanout: true }), await startNode(target, { fanout: true }));
    await until(async () => (await nodes[0]!.hub.serverCount()) === 2 && (await nodes[1]!.hub.serverCount()) === 2, 20_000);
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const n of nodes) await n.hub.stop();
    for (const n of nodes) await n.db.close();
    await dbs.stop();
  });

  it.skipIf(dbs.unavailable)('signing out or disabling on node A cuts the user\'s socket on node B within 1 s', SLOW, async () => {
    const [a, b] = nodes as [Node, Node];
    const id = await createUser(a.db, 'roaming', 'clinician');
    const onB = await signedInSocket(b, 'roaming');
    const alsoOnB = await signedInSocket(b, 'roaming');
    sockets.push(onB.socket, alsoOnB.socket);
    await a.auth.logout(onB.token); // the sign-out request reached node A
    let at = Date.now();
    await until(() => onB.disconnectedAt !== undefined, 1000);
    expect(onB.disconnectedAt! - at).toBeLessThan(1000);
    expect(alsoOnB.socket.connected).toBe(true);

    expect((await a.admin.update(ADMIN, id, { disabled: true })).ok).toBe(true);
    at = Date.now();
    await until(() => alsoOnB.disconnectedAt !== undefined, 1000);
    expect(alsoOnB.disconnectedAt! - at).toBeLessThan(1000);
  });
});
