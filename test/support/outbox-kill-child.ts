import { pino } from 'pino';
import { openDatabase } from '@/server/db';
import { DEFAULT_NOTIFY_SETTINGS, registerNotifiers } from '@/server/notify';
import { enqueueOutbox, OutboxDispatcher } from '@/server/outbox';

/**
 * Run as a separate process by server/outbox/outbox-kill.test.ts, then killed with SIGKILL while
 * its delivery is in flight: opens the database (argv: URL or '', data folder), queues one webhook
 * event for the receiver at argv[3] and starts delivering it. Prints "leased" once the row is its.
 */
const [databaseUrl, dataDir, receiverUrl] = process.argv.slice(2);
const log = pino({ level: 'silent' });
const db = await openDatabase({ databaseUrl: databaseUrl || undefined, dataDir: dataDir ?? '.', log: { info() {}, warn() {} } });
const eventId = '0b7f2a52-7d0e-5c4b-9a36-2f1c5e8d9a10';
await enqueueOutbox(db.prisma, {
  kind: 'webhook',
  eventId: `webhook:${eventId}`,
  studyInstanceUid: '1.2.826.0.1.3680043.10.99',
  payload: {
    schemaVersion: 1,
    eventId,
    type: 'study.flagged',
    occurredAt: new Date().toISOString(),
    study: { studyInstanceUid: '1.2.826.0.1.3680043.10.99', url: null },
    result: { outcome: 'flagged', flagged: true, probability: 0.9, operatingPoint: null, reason: 'any 0.90', suspectedSubtypes: [], probabilities: { any: 0.9 } },
    model: { name: 'test', version: '1' },
    disclaimer: 'test',
  },
});
const dispatcher = new OutboxDispatcher({ prisma: db.prisma, log, owner: 'doomed', deliveryTimeoutMs: 5000, leaseMs: 6000 });
registerNotifiers(dispatcher, { ...DEFAULT_NOTIFY_SETTINGS, webhook: { url: new URL(receiverUrl!), secret: 'kill-test-secret-0123456789', events: 'flagged' } });
process.stdout.write('queued\n');
dispatcher.start();
