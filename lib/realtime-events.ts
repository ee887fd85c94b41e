import type { ErrorCode } from './errors';
import type { WorklistItem } from './worklist';

/**
 * The one typed Socket.IO event map, shared by the server and the dashboard.
 *
 * Study events are durable and sequenced: each is a row of the `RealtimeEvent` journal before it is
 * sent, and its `seq` is that row's id, one global order shared by every server node and kept
 * across restarts. Each event also names the previous event of its room (`prevSeq`), so a client
 * knows exactly whether it missed something, even though rooms interleave in the global order.
 * Status and heartbeats are per node and not journaled; their `seq` is a per-connection counter
 * unrelated to study events.
 */

/** The worklist room every reader joins; per-site rooms (`site:<id>`) can be added beside it. */
export const WORKLIST_ROOM = 'worklist';
export type RoomName = typeof WORKLIST_ROOM | `site:${string}`;

export interface SystemStatus {
  /** Per-connection order of status and heartbeats (not a study event seq). */
  seq: number;
  /** Server software version (package.json). */
  version: string;
  startedAt: string;
  /** Which inference model and execution provider are active, when a model is loaded. */
  model: { name: string; version: string; provider: string; intendedUse?: 'research' | 'clinical' } | null;
}

export interface Heartbeat {
  /** Per-connection order of status and heartbeats (not a study event seq). */
  seq: number;
  serverTime: string;
  connectedClients: number;
  /** The newest study event seq of each room the client is in, so a quiet gap is noticed too. */
  heads: Partial<Record<RoomName, number>>;
}

/**
 * What happened to the study, with its whole new worklist row (slice counts, provisional or final
 * scores, status, tier): one event name keeps a single ordered stream per room, and the client
 * re-ranks from the rows, so a reorder needs no list of ranks.
 * - received: a new study's first slice was stored;
 * - progress: slices analysed / the provisional score changed;
 * - triaged: the final result;
 * - updated: status or assignment changed by a person;
 * - reordered: its priority tier changed (aging), moving it in the worklist.
 */
export type StudyChange = 'received' | 'progress' | 'triaged' | 'updated' | 'reordered';

export interface StudyUpdate {
  /** The event's journal seq: global order, unique across nodes and restarts. */
  seq: number;
  /** The seq of the previous event in the same room; 0 when this is the room's first. */
  prevSeq: number;
  room: RoomName;
  change: StudyChange;
  study: WorklistItem;
}

/**
 * A reconnecting client's position: per room, the seq of the last event it applied, or null when
 * it holds no state yet (a first connect: it will read a snapshot from /api/worklist).
 */
export interface ResumeRequest {
  cursors: Partial<Record<RoomName, number | null>>;
}

/**
 * The answer to a resume, per room:
 * - replay: the missed events, oldest first, each chained to the one before (possibly none);
 * - snapshot: the client holds no state, or its gap is older than the journal keeps or too large:
 *   it must refetch /api/worklist once and continue from `head`.
 */
export type RoomResume =
  | { kind: 'replay'; events: StudyUpdate[] }
  | { kind: 'snapshot'; head: number; reason: 'no-cursor' | 'pruned' | 'too-large' | 'unknown-cursor' };

export interface ResumeResponse {
  rooms: Partial<Record<RoomName, RoomResume>>;
}

/** A resume the server could not answer (a malformed request, the database down). */
export interface ResumeFailure {
  error: { code: ErrorCode; message: string };
}

export interface ServerToClientEvents {
  'system:status': (status: SystemStatus) => void;
  'system:heartbeat': (beat: Heartbeat) => void;
  'study:updated': (update: StudyUpdate) => void;
}

export interface ClientToServerEvents {
  /** Asks for a fresh `system:status`; the ack carries it too. */
  'system:status:get': (ack: (status: SystemStatus) => void) => void;
  /**
   * Sent after every (re)connect, before live events can be trusted: joins the client's rooms and
   * answers with what it missed, or tells it to take a snapshot.
   */
  'realtime:resume': (request: ResumeRequest, ack: (response: ResumeResponse | ResumeFailure) => void) => void;
}

/** Socket.IO path shared by server and client. */
export const SOCKET_PATH = '/socket.io';
