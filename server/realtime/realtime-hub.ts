import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, StudyUpdate, SystemStatus } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import { SOCKET_PATH } from '@/lib/realtime-events';
import type { Logger } from '@/server/logging';

export interface RealtimeHubOptions {
  heartbeatIntervalMs: number;
  status: () => Omit<SystemStatus, 'seq'>;
}

/** Owns the Socket.IO server: attaches it to the HTTP server and sends sequenced events. */
export class RealtimeHub {
  private readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private seq = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    httpServer: HttpServer,
    private readonly options: RealtimeHubOptions,
    private readonly log: Logger,
  ) {
    this.io = new Server(httpServer, { path: SOCKET_PATH, serveClient: false });
    this.io.on('connection', (socket) => {
      this.log.debug({ socketId: socket.id }, 'socket connected');
      socket.emit('system:status', this.currentStatus());
      socket.on('system:status:get', (ack) => {
        if (typeof ack === 'function') ack(this.currentStatus());
      });
    });
  }

  /** Starts the periodic heartbeat. */
  start(): void {
    this.heartbeat = setInterval(() => this.broadcastHeartbeat(), this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /** Stops heartbeats and disconnects every client. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.io.close();
  }

  /** Pushes a study's new worklist row to every dashboard. */
  publishStudy(change: StudyUpdate['change'], study: WorklistItem): void {
    this.io.emit('study:updated', { seq: this.nextSeq(), change, study });
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private currentStatus(): SystemStatus {
    return { seq: this.nextSeq(), ...this.options.status() };
  }

  private broadcastHeartbeat(): void {
    this.io.emit('system:heartbeat', {
      seq: this.nextSeq(),
      serverTime: new Date().toISOString(),
      connectedClients: this.io.engine.clientsCount,
    });
  }
}
