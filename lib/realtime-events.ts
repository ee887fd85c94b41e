import type { WorklistItem } from './worklist';

/**
 * The one typed Socket.IO event map, shared by the server and the dashboard. Every server event
 * carries a monotonically increasing `seq` so a client can drop stale updates and see gaps.
 */
export interface SystemStatus {
  seq: number;
  /** Server software version (package.json). */
  version: string;
  startedAt: string;
  /** Which inference model and execution provider are active, when a model is loaded. */
  model: { name: string; version: string; provider: string } | null;
}

export interface Heartbeat {
  seq: number;
  serverTime: string;
  connectedClients: number;
}

export interface StudyUpdate {
  seq: number;
  /** progress: slices analysed / provisional score changed; triaged: final result. */
  change: 'progress' | 'triaged';
  study: WorklistItem;
}

export interface ServerToClientEvents {
  'system:status': (status: SystemStatus) => void;
  'system:heartbeat': (beat: Heartbeat) => void;
  'study:updated': (update: StudyUpdate) => void;
}

export interface ClientToServerEvents {
  /** Asks for a fresh `system:status`; the ack carries it too. */
  'system:status:get': (ack: (status: SystemStatus) => void) => void;
}

/** Socket.IO path shared by server and client. */
export const SOCKET_PATH = '/socket.io';
