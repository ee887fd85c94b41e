import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAuth } from '@/server/auth';
import { parseApiTokens } from '@/server/auth/parse-api-tokens';
import { openDatabase, resolveDatabaseTarget, type Database } from '@/server/db';
import { createPostgresFanout } from '@/server/realtime';
import { postgresDatabases } from '@/test/support/test-databases';

const log = pino({ level: 'silent' });

/**
 * Issue 15 item 2: several nodes started at the same moment on an empty PostgreSQL each run the
 * whole start-up sequence that writes (migrations, the fan-out's table, the first admin, the
 * API_TOKENS service accounts), each on its own connections as separate processes would. None may
 * fail, and the result is what one node alone would have made: one admin, one row per token, one
 * announced password.
 */
describe('simultaneous first start of several nodes on one empty PostgreSQL', () => {
  const pg = postgresDatabases();
  const dataDir = mkdtempSync(join(tmpdir(), 'ich-first-start-'));
  beforeAll(async () => {
    if (!pg.unavailable) await pg.start();
  }, 60_000);
  afterAll(async () => {
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** One node's start-up writes, as server/main.ts runs them; returns what it announced. */
  async function startNode(databaseUrl: string, apiTokens: string, opened: Database[], closers: (() => Promise<void>)[]): Promise<string[]> {
    const db = await openDatabase({ databaseUrl, dataDir, log });
    opened.push(db);
    const target = resolveDatabaseTarget({ databaseUrl, dataDir });
    if (target.provider !== 'postgresql') throw new Error('expected PostgreSQL');
    const fanout = await createPostgresFanout({ url: target.url, schema: target.schema, log });
    // Attached as the hub attaches it, and closed in the hub's order (adapter, then its pool).
    const io = new Server();
    io.adapter(fanout.adapter);
    closers.push(async () => {
      await io.of('/').adapter.close();
      await fanout.close();
    });
    const announced: string[] = [];
    await bootstrapAuth({ prisma: db.prisma, log, adminUsername: 'admin', adminPassword: undefined, apiTokens: parseApiTokens(apiTokens), announce: (t) => announced.push(t) });
    return announced;
  }

  const rounds = [
    { nodes: 2, schema: false },
    { nodes: 4, schema: false },
    { nodes: 3, schema: true },
    { nodes: 4, schema: true },
  ];
  it.skipIf(pg.unavailable).each(rounds)('$nodes nodes at once (own schema: $schema) all start, and make one admin and one row per token', { timeout: 120_000 }, async ({ nodes, schema }) => {
    const fresh = await pg.fresh();
    const databaseUrl = schema ? `${fresh.databaseUrl!}?schema=site_${randomBytes(3).toString('hex')}` : fresh.databaseUrl!;
    const tokens = ['pacs:integration', 'monitor:clinician', 'ops:admin'].map((t) => `${t}:${randomBytes(32).toString('base64url')}`).join(',');
    const opened: Database[] = [];
    const closers: (() => Promise<void>)[] = [];
    try {
      const results = await Promise.allSettled(Array.from({ length: nodes }, () => startNode(databaseUrl, tokens, opened, closers)));
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(failures).toEqual([]);
      const announced = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      expect(announced).toHaveLength(1); // the one-time password is shown once, by the node that made the admin

      const prisma = opened[0]!.prisma;
      expect(await prisma.user.count()).toBe(1);
      const rows = await prisma.apiToken.findMany({ select: { name: true, role: true, revokedAt: true }, orderBy: { name: 'asc' } });
      expect(rows).toEqual([
        { name: 'env:monitor', role: 'clinician', revokedAt: null },
        { name: 'env:ops', role: 'admin', revokedAt: null },
        { name: 'env:pacs', role: 'integration', revokedAt: null },
      ]);
    } finally {
      for (const close of closers) await close();
      for (const db of opened) await db.close();
    }
  });
});
