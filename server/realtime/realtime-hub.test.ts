import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Heartbeat } from '@/lib/realtime-events';
import { openDatabase, type Database } from '@/server/db';
import { createLogger } from '@/server/logging';
import { connectClient, startHub, until, worklistItem, type Client, type RunningHub } from '@/test/realtime/hub-fixture';

describe('RealtimeHub', () => {
  const dir = mkdtempSync(join(tmpdir(), 'realtime-hub-'));
  let db: Database;
  let running: RunningHub | undefined;
  let client: Client | undefined;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: dir, log: createLogger('silent') });
  });
  afterEach(async () => {
    client?.close();
    await running?.stop();
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the status on connect, then heartbeats in order carrying the worklist head', async () => {
    running = await startHub(db, { heartbeatIntervalMs: 50 });
    const c = await connectClient(running.url);
    client = c.socket;
    await until(() => c.statuses.length === 1);
    const status = c.statuses[0]!;
    expect(status).toMatchObject({ version: '0.0.0-test', model: null });

    const published = await running.hub.publishStudy('progress', worklistItem(1));
    const beats: Heartbeat[] = [];
    client.on('system:heartbeat', (beat) => beats.push(beat));
    await until(() => beats.length >= 3);
    expect(beats.map((b) => b.seq)).toEqual([...beats.map((b) => b.seq)].sort((a, b) => a - b));
    expect(beats[0]!.seq).toBeGreaterThan(status.seq);
    expect(beats[2]!.connectedClients).toBe(1);
    expect(beats[2]!.heads).toEqual({ worklist: published.seq });
    expect(c.live).toEqual([published]);
  });

  it('answers a status request through the acknowledgement', async () => {
    running = await startHub(db);
    client = (await connectClient(running.url)).socket;
    const asked = await client.timeout(2000).emitWithAck('system:status:get');
    expect(asked.version).toBe('0.0.0-test');
    expect(asked.seq).toBeGreaterThan(0);
  });

  it('records an event before sending it, so a failed write sends nothing', async () => {
    running = await startHub(db);
    const c = await connectClient(running.url);
    client = c.socket;
    const sent = await running.hub.publishStudy('triaged', worklistItem(2, 0.95));
    const row = await db.prisma.realtimeEvent.findUnique({ where: { seq: sent.seq } });
    expect(row).toMatchObject({ room: 'worklist', type: 'study:updated' });
    await until(() => c.live.length === 1);

    // A study row the journal cannot store (a cycle) rejects the publish and sends nothing.
    const cyclic = worklistItem(3) as unknown as Record<string, unknown>;
    cyclic.self = cyclic;
    await expect(running.hub.publishStudy('progress', cyclic as never)).rejects.toThrow();
    const after = await running.hub.publishStudy('progress', worklistItem(4));
    await until(() => c.live.length === 2);
    expect(c.live.map((u) => u.seq)).toEqual([sent.seq, after.seq]);
    expect(after.prevSeq).toBe(sent.seq);
  });
});
