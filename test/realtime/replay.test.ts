import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WORKLIST_ROOM, type ResumeResponse, type StudyUpdate } from '@/lib/realtime-events';
import { openDatabase, type Database } from '@/server/db';
import { allTestDatabases } from '../support/test-databases';
import { connectClient, resume, startHub, until, worklistItem, type Client, type RunningHub } from './hub-fixture';

const log = pino({ level: 'silent' });

/** The worklist room's answer of a successful resume. */
function roomOf(response: Awaited<ReturnType<typeof resume>>) {
  if ('error' in response) throw new Error(`resume failed: ${response.error.message}`);
  return (response as ResumeResponse).rooms[WORKLIST_ROOM];
}

/**
 * Issue 5 §3: a client that reconnects gets exactly what it missed, from the journal, in order and
 * nothing twice; a gap the journal no longer holds (or too large) gets a snapshot instead. Real
 * socket.io-client against the hub, on SQLite and PostgreSQL.
 */
describe.each(allTestDatabases())('reconnect catch-up on $provider', (dbs) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'realtime-replay-'));
  const opened: Database[] = [];
  const hubs: RunningHub[] = [];
  const sockets: Client[] = [];

  beforeAll(async () => {
    if (!dbs.unavailable) await dbs.start();
  }, 60_000);
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const h of hubs.splice(0)) await h.stop();
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await dbs.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function freshDb(): Promise<{ open: () => Promise<Database> }> {
    const target = await dbs.fresh();
    return {
      open: async () => {
        const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.databaseUrl ? dataDir : target.dataDir, log });
        opened.push(db);
        return db;
      },
    };
  }
  async function hubOn(db: Database, options: Parameters<typeof startHub>[1] = {}): Promise<RunningHub> {
    const h = await startHub(db, options);
    hubs.push(h);
    return h;
  }
  async function client(url: string) {
    const c = await connectClient(url);
    sockets.push(c.socket);
    return c;
  }

  it.skipIf(dbs.unavailable)('replays exactly the missed events, in order, then continues live from them', async () => {
    const db = await (await freshDb()).open();
    const { hub, url } = await hubOn(db);
    const first = await client(url);
    expect(roomOf(await resume(first.socket, { cursors: { worklist: null } }))).toEqual({ kind: 'snapshot', head: 0, reason: 'no-cursor' });

    const before: StudyUpdate[] = [];
    for (let i = 0; i < 3; i++) before.push(await hub.publishStudy('progress', worklistItem(i)));
    await until(() => first.live.length === 3);
    expect(first.live).toEqual(before);
    expect(before.map((u) => u.prevSeq)).toEqual([0, before[0]!.seq, before[1]!.seq]);
    const cursor = first.live.at(-1)!.seq;
    first.socket.close();

    // Off for a while: five events it does not see.
    const missed: StudyUpdate[] = [];
    for (let i = 3; i < 8; i++) missed.push(await hub.publishStudy(i === 7 ? 'triaged' : 'progress', worklistItem(i, i / 10)));

    const again = await client(url);
    const replay = roomOf(await resume(again.socket, { cursors: { worklist: cursor } }));
    expect(replay).toEqual({ kind: 'replay', events: missed });
    expect(again.live).toEqual([]); // nothing twice: the missed events come only through the replay

    const next = await hub.publishStudy('progress', worklistItem(8));
    await until(() => again.live.length === 1);
    expect(again.live[0]).toEqual(next);
    expect(next.prevSeq).toBe(missed.at(-1)!.seq);

    // Up to date: an empty replay, not a snapshot.
    expect(roomOf(await resume(again.socket, { cursors: { worklist: next.seq } }))).toEqual({ kind: 'replay', events: [] });
  });

  it.skipIf(dbs.unavailable)('leaves no hole and no duplicate when events are published while the client resumes', async () => {
    const db = await (await freshDb()).open();
    const { hub, url } = await hubOn(db);
    const published: StudyUpdate[] = [];
    for (let i = 0; i < 5; i++) published.push(await hub.publishStudy('progress', worklistItem(i)));
    const cursor = published[1]!.seq;

    // A publisher keeps going while the client connects and resumes.
    const publisher = (async () => {
      for (let i = 5; i < 45; i++) {
        published.push(await hub.publishStudy('progress', worklistItem(i)));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const c = await client(url);
    const answer = roomOf(await resume(c.socket, { cursors: { worklist: cursor } }));
    await publisher;
    if (answer?.kind !== 'replay') throw new Error(`expected a replay, got ${JSON.stringify(answer)}`);

    // The client's rule: apply the replay, then live events that follow the chain; drop the rest.
    await until(() => c.live.at(-1)?.seq === published.at(-1)!.seq);
    const applied = [...answer.events];
    let at = applied.at(-1)?.seq ?? cursor;
    for (const u of c.live) {
      if (u.seq <= at) continue;
      expect(u.prevSeq).toBe(at);
      applied.push(u);
      at = u.seq;
    }
    expect(applied.map((u) => u.seq)).toEqual(published.slice(2).map((u) => u.seq));
  });

  it.skipIf(dbs.unavailable)('answers a snapshot when the gap was pruned, is too large, or the cursor is unknown', async () => {
    const db = await (await freshDb()).open();
    const { hub, url, journal } = await hubOn(db, { journal: { maxReplay: 3 } });
    const events: StudyUpdate[] = [];
    for (let i = 0; i < 6; i++) events.push(await hub.publishStudy('progress', worklistItem(i)));
    const head = events.at(-1)!.seq;
    const c = await client(url);

    expect(roomOf(await resume(c.socket, { cursors: { worklist: events[0]!.seq } }))).toEqual({ kind: 'snapshot', head, reason: 'too-large' });
    expect(roomOf(await resume(c.socket, { cursors: { worklist: head + 100 } }))).toEqual({ kind: 'snapshot', head, reason: 'unknown-cursor' });
    expect(roomOf(await resume(c.socket, { cursors: { worklist: events[3]!.seq } }))).toEqual({ kind: 'replay', events: events.slice(4) });

    // The first four fall out of the retention window; the room's newest is always kept.
    await db.prisma.realtimeEvent.updateMany({ where: { seq: { lte: events[3]!.seq } }, data: { createdAt: new Date(Date.now() - 48 * 3_600_000) } });
    await db.prisma.realtimeEvent.updateMany({ where: { seq: head }, data: { createdAt: new Date(Date.now() - 48 * 3_600_000) } });
    expect(await journal.prune(new Date(Date.now() - 24 * 3_600_000))).toBe(4);
    expect((await db.prisma.realtimeEvent.findMany({ orderBy: { seq: 'asc' } })).map((r) => r.seq)).toEqual([events[4]!.seq, head]);
    expect(roomOf(await resume(c.socket, { cursors: { worklist: events[2]!.seq } }))).toEqual({ kind: 'snapshot', head, reason: 'pruned' });
    // A cursor at the pruned boundary still chains to what is left.
    expect(roomOf(await resume(c.socket, { cursors: { worklist: events[3]!.seq } }))).toEqual({ kind: 'replay', events: events.slice(4) });
  });

  it.skipIf(dbs.unavailable)('refuses a malformed resume with a clear error', async () => {
    const db = await (await freshDb()).open();
    const { url } = await hubOn(db);
    const c = await client(url);
    for (const bad of [{}, { cursors: { worklist: -1 } }, { cursors: { worklist: 1.5 } }, { cursors: { worklist: 'x' } }, { cursors: {}, extra: 1 }, 'resume']) {
      const answer = await resume(c.socket, bad);
      expect(answer).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    // One resume at a time per socket.
    const [one, two] = await Promise.all([resume(c.socket, { cursors: { worklist: 0 } }), resume(c.socket, { cursors: { worklist: 0 } })]);
    expect(one).toEqual({ rooms: { worklist: { kind: 'replay', events: [] } } });
    expect(two).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it.skipIf(dbs.unavailable)('keeps the sequence across a restart: a client resumes against the new process', async () => {
    const target = await freshDb();
    const db1 = await target.open();
    const first = await hubOn(db1);
    const before = await first.hub.publishStudy('progress', worklistItem(1));
    await first.stop();
    hubs.splice(hubs.indexOf(first), 1);

    const db2 = await target.open();
    const second = await hubOn(db2);
    const after = await second.hub.publishStudy('triaged', worklistItem(1, 0.9));
    expect(after.seq).toBeGreaterThan(before.seq);
    expect(after.prevSeq).toBe(before.seq);
    const c = await client(second.url);
    expect(roomOf(await resume(c.socket, { cursors: { worklist: before.seq } }))).toEqual({ kind: 'replay', events: [after] });
  });
});
