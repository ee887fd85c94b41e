import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Heartbeat, ServerToClientEvents, SystemStatus } from '@/lib/realtime-events';
import { createLogger } from '@/server/logging';
import { RealtimeHub } from './realtime-hub';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('RealtimeHub', () => {
  let hub: RealtimeHub | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    client?.close();
    await hub?.stop();
  });

  async function start(): Promise<{ server: Server; url: string }> {
    const server = createServer();
    hub = new RealtimeHub(
      server,
      { heartbeatIntervalMs: 50, status: () => ({ version: '9.9.9', startedAt: '2026-01-01T00:00:00.000Z', model: null }), authenticate: async () => ({ kind: 'test' }) },
      createLogger('silent'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hub.start();
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('sends the system status on connect, then heartbeats with increasing sequence numbers', async () => {
    const { url } = await start();
    client = connect(url, { transports: ['websocket'] });
    const status = await new Promise<SystemStatus>((resolve) => client?.once('system:status', resolve));
    expect(status).toMatchObject({ version: '9.9.9', model: null });

    const beats: Heartbeat[] = [];
    await new Promise<void>((resolve) => {
      client?.on('system:heartbeat', (beat) => {
        beats.push(beat);
        if (beats.length === 3) resolve();
      });
    });
    expect(beats.map((b) => b.seq)).toEqual([...beats.map((b) => b.seq)].sort((a, b) => a - b));
    expect(beats[0]!.seq).toBeGreaterThan(status.seq);
    expect(beats[2]!.connectedClients).toBe(1);
  });

  it('answers a status request through the acknowledgement', async () => {
    const { url } = await start();
    client = connect(url, { transports: ['websocket'] });
    const first = await new Promise<SystemStatus>((resolve) => client?.once('system:status', resolve));
    const asked = await client.timeout(2000).emitWithAck('system:status:get');
    expect(asked.version).toBe('9.9.9');
    expect(asked.seq).toBeGreaterThan(first.seq);
  });
});
