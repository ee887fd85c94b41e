import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKLIST_ROOM, type StudyUpdate } from '@/lib/realtime-events';
import { openDatabase, resolveDatabaseTarget, type Database } from '@/server/db';
import { createLogger } from '@/server/logging';
import { createPostgresFanout, EventJournal, RealtimeHub } from '@/server/realtime';
import { postgresDatabases } from '../support/test-databases';
import { connectClient, resume, startHub, until, worklistItem, type Client, type RunningHub } from './hub-fixture';

const log = pino({ level: 'silent' });

/**
 * Issue 5 §3 scale-out: two server nodes (two hubs, two HTTP servers, two database clients) share
 * one PostgreSQL. An event raised on one reaches a client connected to the other through the
 * Socket.IO Postgres adapter, and a client of either node can catch up from the shared journal.
 */
describe('two nodes sharing one PostgreSQL', () => {
  const dbs = postgresDatabases();
  const dataDir = mkdtempSync(join(tmpdir(), 'realtime-two-nodes-'));
  const opened: Database[] = [];
  const sockets: Client[] = [];
  let a: RunningHub;
  let b: RunningHub;
  let target: { databaseUrl: string | undefined };

  beforeAll(async () => {
    if (dbs.unavailable) return;
    await dbs.start();
    target = await dbs.fresh();
    const node = async () => {
      const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir, log });
      opened.push(db);
      const pg = resolveDatabaseTarget({ databaseUrl: target.databaseUrl, dataDir });
      if (pg.provider !== 'postgresql') throw new Error('expected PostgreSQL');
      const fanout = await createPostgresFanout({ url: pg.url, schema: pg.schema, log: createLogger('silent') });
      return startHub(db, { fanout });
    };
    a = await node();
    b = await node();
    // Each node hears the other's adapter heartbeats once its LISTEN is in place.
    await until(async () => (await a.hub.serverCount()) === 2 && (await b.hub.serverCount()) === 2, 20_000);
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a?.stop();
    await b?.stop();
    for (const db of opened) await db.close();
    await dbs.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function client(url: string) {
    const c = await connectClient(url);
    sockets.push(c.socket);
    return c;
  }

  it.skipIf(dbs.unavailable)('delivers an event published on node A to a client of node B, once', async () => {
    const onA = await client(a.url);
    const onB = await client(b.url);
    const sent = await a.hub.publishStudy('triaged', worklistItem(1, 0.97));
    await until(() => onB.live.length === 1 && onA.live.length === 1);
    expect(onB.live).toEqual([sent]);
    expect(onA.live).toEqual([sent]);
    const back = await b.hub.publishStudy('progress', worklistItem(2));
    await until(() => onA.live.length === 2 && onB.live.length === 2);
    expect(onA.live[1]).toEqual(back);
    expect(back.prevSeq).toBe(sent.seq);
  });

  it.skipIf(dbs.unavailable)('keeps one chain when both nodes publish at once, and replays it from either node', async () => {
    const watcher = await client(b.url);
    const base = (await resume(watcher.socket, { cursors: { worklist: null } })) as { rooms: Record<string, { head: number }> };
    const cursor = base.rooms[WORKLIST_ROOM]!.head;
    const sent: StudyUpdate[] = [];
    await Promise.all(
      [a, b].map(async (node, n) => {
        for (let i = 0; i < 20; i++) sent.push(await node.hub.publishStudy('progress', worklistItem(100 * (n + 1) + i)));
      }),
    );
    sent.sort((x, y) => x.seq - y.seq);
    // Every event names the one before it: the journal's order is one chain across both nodes.
    sent.forEach((u, i) => expect(u.prevSeq).toBe(i === 0 ? cursor : sent[i - 1]!.seq));
    // The live client got all 40 (from its own node and through the adapter), each once.
    await until(() => watcher.live.length === 40);
    expect(new Set(watcher.live.map((u) => u.seq)).size).toBe(40);

    // A client that was away catches up against the node that did not publish half of them.
    for (const node of [a, b]) {
      const late = await client(node.url);
      const answer = await resume(late.socket, { cursors: { worklist: cursor } });
      expect(answer).toEqual({ rooms: { worklist: { kind: 'replay', events: sent } } });
    }
  });

  it.skipIf(dbs.unavailable)('delivers an event from a worker node (a hub with no HTTP server, SERVER_ROLE=worker) to a web node\'s client', async () => {
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir, log });
    opened.push(db);
    const pg = resolveDatabaseTarget({ databaseUrl: target.databaseUrl, dataDir });
    if (pg.provider !== 'postgresql') throw new Error('expected PostgreSQL');
    const worker = new RealtimeHub(
      undefined,
      {
        heartbeatIntervalMs: 60_000,
        status: () => ({ version: '0.0.0-test', startedAt: '2026-01-01T00:00:00.000Z', model: null }),
        authenticate: async () => null,
        journal: new EventJournal(db.prisma, db.provider),
        fanout: await createPostgresFanout({ url: pg.url, schema: pg.schema, log: createLogger('silent') }),
      },
      createLogger('silent'),
    );
    try {
      await until(async () => (await worker.serverCount()) === 3, 20_000);
      const onB = await client(b.url);
      const sent = await worker.publishStudy('triaged', worklistItem(900, 0.91));
      await until(() => onB.live.some((u) => u.seq === sent.seq));
      expect(onB.live.filter((u) => u.seq === sent.seq)).toEqual([sent]);
    } finally {
      await worker.stop();
    }
  });
});
