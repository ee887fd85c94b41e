import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  ResumeFailure,
  ResumeResponse,
  RoomName,
  ServerToClientEvents,
  StudyChange,
  StudyUpdate,
  SystemStatus,
} from '@/lib/realtime-events';
import { SOCKET_PATH, WORKLIST_ROOM } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import type { Logger } from '@/server/logging';
import type { EventJournal } from './event-journal';
import type { Fanout } from './postgres-fanout';
import { parseResumeRequest } from './resume-request';
import { roomsFor } from './rooms';

const HOUR_MS = 3_600_000;

export interface RealtimeHubOptions {
  heartbeatIntervalMs: number;
  status: () => Omit<SystemStatus, 'seq'>;
  /**
   * Decides who may connect, from the handshake (cookies, origin): the principal, or null to refuse
   * the connection. Required, so no hub is ever open by accident; the principal is kept on
   * `socket.data.principal`, and its role decides the rooms it joins.
   */
  authenticate: (handshake: Handshake) => Promise<unknown>;
  /** Where study events are recorded before they are sent, and replayed from. */
  journal: EventJournal;
  /** How long events stay replayable (default 24 h); older gaps get a snapshot. */
  retentionMs?: number;
  /** How often old events are pruned (default hourly). */
  pruneIntervalMs?: number;
  /** Cross-node fan-out (PostgreSQL); without it events reach this node's clients only. */
  fanout?: Fanout;
  /**
   * Which of this node's signed-in sockets' sessions still stand (not revoked, not expired, account
   * enabled, role unchanged): asked every `revalidateIntervalMs` (default 15 s), and the others are
   * cut. This catches idle expiry and any announced ending (`disconnectSessions`) this node missed.
   */
  liveSessions?: (sessions: readonly { sessionId: string; role: string }[]) => Promise<Set<string>>;
  revalidateIntervalMs?: number;
}

/** Sign-outs and account changes, as the auth stage announces them (server/auth/session-endings.ts). */
export type SessionsToEnd = { sessionIds: readonly string[] } | { userId: string; exceptSessionId?: string | undefined };

/** The part of a Socket.IO handshake an authenticator reads. */
export type Handshake = Pick<Socket['handshake'], 'headers' | 'address'>;

interface SocketData {
  principal: unknown;
  /** A signed-in person's session, when the principal is one: the socket is cut when it ends. */
  session: { userId: string; sessionId: string; role: string } | undefined;
  rooms: RoomName[];
  /** Per-connection order of status and heartbeats. */
  beat: number;
  /** A resume is being answered: one at a time per socket, so no client can pile up journal reads. */
  resuming: boolean;
}

type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/**
 * Owns the Socket.IO server: authenticates sockets, puts them in their rooms, records each study
 * event in the journal and then sends it to its room (on every node, with a fan-out), answers
 * resumes from the journal, and sends per-node status and heartbeats.
 */
export class RealtimeHub {
  private readonly io: HubServer;
  /** Serves clients over HTTP (a web node), or only publishes (a worker node). */
  private readonly attached: boolean;
  private heartbeat: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private revalidator: NodeJS.Timeout | undefined;
  /** Publishes run one at a time, so this node sends its events in seq order. */
  private publishing: Promise<unknown> = Promise.resolve();

  /**
   * `httpServer` undefined: a worker node with no clients of its own. It still records events and,
   * with a fan-out, sends them to the clients of every web node.
   */
  constructor(
    httpServer: HttpServer | undefined,
    private readonly options: RealtimeHubOptions,
    private readonly log: Logger,
  ) {
    const settings = { path: SOCKET_PATH, serveClient: false };
    this.io = httpServer ? new Server(httpServer, settings) : new Server(settings);
    this.attached = httpServer !== undefined;
    if (options.fanout) this.io.adapter(options.fanout.adapter);
    this.io.use((socket, next) => {
      this.options.authenticate(socket.handshake).then(
        (principal) => {
          if (!principal) return next(new Error('UNAUTHENTICATED'));
          socket.data.principal = principal;
          socket.data.session = sessionOf(principal);
          socket.data.rooms = roomsFor(principal);
          socket.data.beat = 0;
          socket.data.resuming = false;
          next();
        },
        (err: unknown) => {
          this.log.error({ err }, 'socket authentication failed');
          next(new Error('UNAUTHENTICATED'));
        },
      );
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
  }

  /** Starts the periodic heartbeat (web nodes only) and the journal's retention sweep. */
  start(): void {
    // A detached hub (a worker node) has no clients to beat for; a timer that could only fail is
    // not started. Each beat catches its own errors: an unhandled rejection would end the process.
    if (this.attached) {
      this.heartbeat = setInterval(() => {
        this.broadcastHeartbeat().catch((err: unknown) => this.log.error({ err }, 'heartbeat failed'));
      }, this.options.heartbeatIntervalMs);
      this.heartbeat.unref();
    }
    if (this.attached && this.options.liveSessions) {
      this.revalidator = setInterval(() => void this.revalidate(), this.options.revalidateIntervalMs ?? 15_000);
      this.revalidator.unref();
    }
    this.pruner = setInterval(() => void this.prune(), this.options.pruneIntervalMs ?? HOUR_MS);
    this.pruner.unref();
    void this.prune();
  }

  /** Stops timers, disconnects every client, closes the HTTP server and the fan-out. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pruner) clearInterval(this.pruner);
    if (this.revalidator) clearInterval(this.revalidator);
    await this.publishing.catch(() => {});
    // Socket.IO's close() assumes an attached engine; a detached hub only has its adapter to close.
    if (this.attached) await this.io.close();
    else await this.io.of('/').adapter.close();
    await this.options.fanout?.close();
  }

  /**
   * Records a study's new worklist row in the journal, then pushes it to every reader on every
   * node. Resolves with the event as sent; rejects when it could not be recorded (then nothing
   * was sent, and clients catch up from the next event or a snapshot).
   */
  publishStudy(change: StudyChange, study: WorklistItem): Promise<StudyUpdate> {
    const run = this.publishing.then(async () => {
      const update = await this.options.journal.appendStudy(WORKLIST_ROOM, change, study);
      this.io.to(update.room).emit('study:updated', update);
      return update;
    });
    this.publishing = run.catch(() => {});
    return run;
  }

  /**
   * Cuts the sockets of ended sessions (sign-out) or of a user (disabled, role changed, password
   * reset), on every node: with a fan-out the adapter carries the request to the other nodes.
   */
  disconnectSessions(ended: SessionsToEnd): void {
    if ('sessionIds' in ended) {
      if (ended.sessionIds.length > 0) this.io.in(ended.sessionIds.map(sessionRoom)).disconnectSockets(true);
      return;
    }
    const target = this.io.in(userRoom(ended.userId));
    (ended.exceptSessionId ? target.except(sessionRoom(ended.exceptSessionId)) : target).disconnectSockets(true);
  }

  /** Dashboards connected to this node now (metrics). */
  get clientCount(): number {
    return this.io.engine.clientsCount;
  }

  /** Server nodes sharing this hub's fan-out, this one included (1 without a fan-out). */
  serverCount(): Promise<number> {
    return this.io.of('/').adapter.serverCount();
  }

  private onConnection(socket: HubSocket): void {
    this.log.debug({ socketId: socket.id }, 'socket connected');
    // Joined before any resume is answered: every event after this moment arrives live, and
    // every event before it is in the journal, so a resume read later leaves no hole between.
    void socket.join(socket.data.rooms);
    // Rooms of its own for who it is, so a sign-out or an account change reaches it on any node.
    const session = socket.data.session;
    if (session) void socket.join([userRoom(session.userId), sessionRoom(session.sessionId)]);
    socket.emit('system:status', this.currentStatus(socket));
    socket.on('system:status:get', (ack) => {
      if (typeof ack === 'function') ack(this.currentStatus(socket));
    });
    socket.on('realtime:resume', (request, ack) => {
      if (typeof ack !== 'function') return;
      if (socket.data.resuming) return ack({ error: { code: 'RATE_LIMITED', message: 'a resume is already being answered' } });
      socket.data.resuming = true;
      void this.resume(socket, request)
        .then(ack)
        .finally(() => (socket.data.resuming = false));
    });
  }

  private async resume(socket: HubSocket, input: unknown): Promise<ResumeResponse | ResumeFailure> {
    const parsed = parseResumeRequest(input);
    if (!parsed.ok) return { error: { code: 'VALIDATION_FAILED', message: parsed.message } };
    try {
      const response: ResumeResponse = { rooms: {} };
      for (const room of socket.data.rooms) {
        response.rooms[room] = await this.options.journal.resume(room, parsed.request.cursors[room] ?? null);
      }
      return response;
    } catch (err) {
      this.log.error({ err }, 'realtime resume failed');
      return { error: { code: 'INTERNAL', message: 'could not read missed events' } };
    }
  }

  private currentStatus(socket: HubSocket): SystemStatus {
    socket.data.beat += 1;
    return { seq: socket.data.beat, ...this.options.status() };
  }

  private async broadcastHeartbeat(): Promise<void> {
    let head: number | undefined;
    try {
      head = await this.options.journal.head(WORKLIST_ROOM);
    } catch (err) {
      this.log.warn({ err }, 'heartbeat could not read the journal head');
    }
    const serverTime = new Date().toISOString();
    const connectedClients = this.io.engine.clientsCount;
    // Per node and per socket: each node beats for its own clients only.
    for (const socket of this.io.sockets.sockets.values()) {
      socket.data.beat += 1;
      const heads = head !== undefined && socket.data.rooms.includes(WORKLIST_ROOM) ? { [WORKLIST_ROOM]: head } : {};
      socket.emit('system:heartbeat', { seq: socket.data.beat, serverTime, connectedClients, heads });
    }
  }

  /** Cuts this node's sockets whose sessions no longer stand (see `liveSessions`). */
  private async revalidate(): Promise<void> {
    const sockets = [...this.io.sockets.sockets.values()].filter((s) => s.data.session);
    if (sockets.length === 0 || !this.options.liveSessions) return;
    try {
      const live = await this.options.liveSessions(sockets.map((s) => ({ sessionId: s.data.session!.sessionId, role: s.data.session!.role })));
      for (const socket of sockets) {
        if (!live.has(socket.data.session!.sessionId)) socket.disconnect(true);
      }
    } catch (err) {
      this.log.warn({ err }, 'could not revalidate socket sessions');
    }
  }

  private async prune(): Promise<void> {
    try {
      const before = new Date(Date.now() - (this.options.retentionMs ?? 24 * HOUR_MS));
      const deleted = await this.options.journal.prune(before);
      if (deleted > 0) this.log.info({ deleted }, 'pruned realtime events past retention');
    } catch (err) {
      this.log.warn({ err }, 'realtime event pruning failed');
    }
  }
}

const userRoom = (userId: string) => `user:${userId}`;
const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** The session behind a principal, when it is a signed-in person (a cookie session). */
function sessionOf(principal: unknown): SocketData['session'] {
  const p = principal as { kind?: unknown; userId?: unknown; sessionId?: unknown; role?: unknown } | null;
  if (p?.kind !== 'user' || typeof p.userId !== 'string' || typeof p.sessionId !== 'string' || typeof p.role !== 'string') return undefined;
  return { userId: p.userId, sessionId: p.sessionId, role: p.role };
}
