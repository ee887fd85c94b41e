'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, Heartbeat, ServerToClientEvents, StudyUpdate, SystemStatus } from '@/lib/realtime-events';
import { SOCKET_PATH, WORKLIST_ROOM } from '@/lib/realtime-events';
import { GAP_WAIT_MS, RoomSequencer, type SequencerOutput } from './realtime/room-sequencer';


/** 'catching-up': connected, waiting for the missed events (or a snapshot) before trusting live ones. */
export type ConnectionState = 'connecting' | 'catching-up' | 'live' | 'offline';

export interface RealtimeState {
  connection: ConnectionState;
  status: SystemStatus | null;
  lastHeartbeat: Heartbeat | null;
}

/** Callbacks for consumers of study events (the worklist); they may change between renders. */
export interface RealtimeListeners {
  /**
   * The client's copy cannot be continued from events (first connect, or a gap the server no longer
   * keeps): read /api/worklist afresh. Study events after `head` follow through onStudyUpdated.
   */
  onResync?: (head: number) => void;
  /** Worklist study events, in the journal's order, each exactly once. */
  onStudyUpdated?: (update: StudyUpdate) => void;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Drives a socket for the worklist room: resumes after every (re)connect, feeds events through a
 * RoomSequencer to the listeners, and resumes again when a gap does not close by itself. Returns
 * a function that detaches it. Framework-free, so tests drive it with a real socket.io-client.
 */
export function attachRealtime(
  socket: ClientSocket,
  listeners: () => RealtimeListeners,
  onState: (change: (s: RealtimeState) => RealtimeState) => void,
): () => void {
  const sequencer = new RoomSequencer();
  let gapTimer: ReturnType<typeof setTimeout> | undefined;
  // Status and heartbeats are per connection: a new connection starts a new count.
  let lastBeat = 0;
  // Bumped on every connect and disconnect: an answer to a resume sent on an older connection is ignored.
  let connectionId = 0;

  const apply = (out: SequencerOutput): void => {
    if (out.resyncHead !== undefined) listeners().onResync?.(out.resyncHead);
    for (const update of out.deliver) listeners().onStudyUpdated?.(update);
    if (!out.gap) {
      clearTimeout(gapTimer);
      gapTimer = undefined;
    } else if (!gapTimer) {
      gapTimer = setTimeout(() => {
        gapTimer = undefined;
        resume();
      }, GAP_WAIT_MS);
    }
  };

  const resume = (): void => {
    if (!socket.connected || sequencer.resuming) return;
    clearTimeout(gapTimer);
    gapTimer = undefined;
    onState((s) => ({ ...s, connection: 'catching-up' }));
    const cursor = sequencer.beginResume();
    const sentOn = connectionId;
    socket
      .timeout(10_000)
      .emitWithAck('realtime:resume', { cursors: { [WORKLIST_ROOM]: cursor } })
      .then(
        (response) => {
          if (sentOn !== connectionId) return;
          const answer = 'rooms' in response ? response.rooms[WORKLIST_ROOM] : undefined;
          if (!answer) throw new Error('error' in response ? response.error.message : 'no answer for the worklist room');
          apply(sequencer.resumed(answer));
          onState((s) => ({ ...s, connection: 'live' }));
        },
        () => {
          throw new Error('resume timed out');
        },
      )
      .catch(() => {
        if (sentOn !== connectionId) return;
        // Try again shortly, as long as the connection lasts.
        sequencer.resumeFailed();
        if (socket.connected) gapTimer = setTimeout(resume, 1000);
      });
  };

  socket.on('connect', () => {
    connectionId += 1;
    lastBeat = 0;
    resume();
  });
  socket.on('disconnect', (reason) => {
    connectionId += 1;
    sequencer.disconnected();
    clearTimeout(gapTimer);
    gapTimer = undefined;
    onState((s) => ({ ...s, connection: 'offline' }));
    // The server cut this socket because its session ended or the account changed (a new role has
    // other rooms). Socket.IO does not reconnect after that by itself: try once; a session that is
    // gone is refused at the handshake and the dashboard stays offline.
    if (reason === 'io server disconnect') gapTimer = setTimeout(() => socket.connect(), 1000);
  });
  socket.on('connect_error', () => onState((s) => ({ ...s, connection: 'offline' })));
  socket.on('study:updated', (update) => apply(sequencer.live(update)));
  socket.on('system:status', (status) => {
    if (status.seq <= lastBeat) return;
    lastBeat = status.seq;
    onState((s) => ({ ...s, status }));
  });
  socket.on('system:heartbeat', (beat) => {
    if (beat.seq <= lastBeat) return;
    lastBeat = beat.seq;
    onState((s) => ({ ...s, lastHeartbeat: beat }));
    apply(sequencer.heartbeat(beat.heads[WORKLIST_ROOM]));
  });
  if (socket.connected) resume();
  return () => {
    clearTimeout(gapTimer);
    socket.removeAllListeners();
  };
}

/**
 * The dashboard's connection. It retries every half second while the server is away (±50 %
 * jitter), so the worklist is exact again within a second of its return (the catch-up itself is
 * one round trip); a hundred waiting dashboards cost the server little. WebSocket first: one connection, so several server nodes behind a load balancer
 * need no sticky sessions; long-polling remains the fallback where a proxy blocks WebSocket.
 */
export const DASHBOARD_SOCKET_OPTIONS = {
  path: SOCKET_PATH,
  transports: ['websocket', 'polling'],
  tryAllTransports: true,
  reconnectionDelay: 250,
  reconnectionDelayMax: 500,
} satisfies Partial<ManagerOptions & SocketOptions>;

/** Connects to the server's Socket.IO endpoint, keeps the worklist room exact, and the latest status. */
export function useRealtime(listeners: RealtimeListeners = {}): RealtimeState {
  const [state, setState] = useState<RealtimeState>({ connection: 'connecting', status: null, lastHeartbeat: null });
  const listenersRef = useRef(listeners);
  useEffect(() => {
    listenersRef.current = listeners;
  });

  useEffect(() => {
    const socket: ClientSocket = io(DASHBOARD_SOCKET_OPTIONS);
    const detach = attachRealtime(socket, () => listenersRef.current, setState);
    return () => {
      detach();
      socket.close();
    };
  }, []);

  return state;
}
