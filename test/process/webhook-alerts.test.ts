import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/server/db';
import { CStoreClient } from '@/server/demo';
import { triageEventSchema, verifyWebhookSignature } from '@/server/notify';
import { generatePhantomStudy } from '@/server/phantoms';
import { startTestReceiver } from '@/test/support/http-receiver';
import { startServerProcess, type ServerProcess } from '@/test/support/server-process';

/**
 * Issue 13 §2 done-when, on the real server: a triaged study's webhook alert is queued with the
 * decision, survives a kill -9 of the server while its receiver is failing, and is delivered by
 * the restarted server, signed, with the same event id; the delivery is audited.
 */
const SECRET = 'process-test-webhook-secret';
const AE = { callingAeTitle: 'HOOKTEST', calledAeTitle: 'ICHTRIAGE' };

describe('webhook alerts from the real server (SQLite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ich-webhook-process-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers the alert of a study triaged before a kill -9, after the restart, signed and with the same event id', async () => {
    let accept = false;
    const receiver = await startTestReceiver(() => (accept ? 200 : 503));
    try {
      const env = {
        NOTIFY_WEBHOOK_URL: receiver.url.toString(),
        NOTIFY_WEBHOOK_SECRET: SECRET,
        NOTIFY_WEBHOOK_EVENTS: 'triaged',
        // After the first 503, the next try is 15-30 s away: the server is killed meanwhile.
        OUTBOX_RETRY_BASE_S: '30',
        STUDY_QUIET_PERIOD_S: '1',
        PUBLIC_URL: 'http://triage.test',
        NEXT_DIST_DIR: '.next-process-tests',
      };
      server = await startServerProcess({ dataDir, env });
      const study = generatePhantomStudy({ seed: 1313, slices: 12, size: 128, hemorrhage: 'subdural' });
      const { failed } = await new CStoreClient({ host: '127.0.0.1', port: server.dicomPort, ...AE }).send(study.slices.map((s) => s.bytes));
      expect(failed).toBe(0);
      await expect.poll(() => receiver.received.length, { timeout: 180_000, interval: 250 }).toBeGreaterThan(0);
      await server.kill9();
      server = undefined;

      accept = true;
      server = await startServerProcess({ dataDir, env });
      await expect.poll(() => receiver.received.length, { timeout: 120_000, interval: 250 }).toBe(2);
      const [first, second] = receiver.received;
      expect(second!.headers['x-ich-event-id']).toBe(first!.headers['x-ich-event-id']);
      expect(verifyWebhookSignature(SECRET, second!.body, second!.headers['x-ich-signature'] as string)).toBe(true);
      const event = triageEventSchema.parse(JSON.parse(second!.body.toString('utf8')));
      expect(event.study).toEqual({ studyInstanceUid: study.studyInstanceUid, url: `http://triage.test/studies/${study.studyInstanceUid}` });
      expect(server.problems()).toEqual([]);
      await server.stop();
      server = undefined;

      const db = await openDatabase({ dataDir, log: { info: () => undefined, warn: () => undefined } });
      try {
        expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ kind: 'webhook', state: 'delivered', attempts: 2, lastError: null });
        const audited = await db.prisma.auditEvent.findMany({ where: { action: 'outbox.delivered' } });
        expect(audited.map((a) => a.targetId)).toEqual([study.studyInstanceUid]);
      } finally {
        await db.close();
      }
    } finally {
      await receiver.close();
    }
  }, 600_000);
});
