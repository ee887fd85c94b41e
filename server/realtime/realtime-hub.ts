import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, StudyUpdate, SystemStatus } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import { SOCKET_PATH } from '@/lib/realtime-events';
import type { Logger } from '@/server/logging';

export interface RealtimeHubOptions {
  heartbeatIntervalMs: number;
  status: () => Omit<SystemStatus, 'seq'>;
  /**
   * Decides who may connect, from the handshake (cookies, origin): the principal, or null to refuse
   * the connection. Required, so no hub is ever open by accident; the principal is kept on
   * `socket.data.principal`.
   */
  authenticate: (handshake: Handshake) => Promise<unknown>;
}

/** The part of a Socket.IO handshake an authenticator reads. */
export type Handshake = Pick<Socket['handshake'], 'headers' | 'address'>;

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
    this.io.use((socket, next) => {
      this.options.authenticate(socket.handshake).then(
        (principal) => {
          if (!principal) return next(new Error('UNAUTHENTICATED'));
          (socket.data as { principal?: unknown }).principal = principal;
          next();
        },
        (err: unknown) => {
          this.log.error({ err }, 'socket authentication failed');
          next(new Error('UNAUTHENTICATED'));
        },
      );
    });
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
