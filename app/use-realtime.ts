'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Heartbeat, ServerToClientEvents, StudyUpdate, SystemStatus } from '@/lib/realtime-events';
import { SOCKET_PATH } from '@/lib/realtime-events';

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface RealtimeState {
  connection: ConnectionState;
  status: SystemStatus | null;
  lastHeartbeat: Heartbeat | null;
  /** The highest sequence number seen; older events are ignored. */
  lastSeq: number;
}

/** Callbacks for consumers of study events (the worklist); they may change between renders. */
export interface RealtimeListeners {
  onConnect?: () => void;
  onStudyUpdated?: (update: StudyUpdate) => void;
}

/** Connects to the server's Socket.IO endpoint and keeps the latest sequenced state. */
export function useRealtime(listeners: RealtimeListeners = {}): RealtimeState {
  const [state, setState] = useState<RealtimeState>({ connection: 'connecting', status: null, lastHeartbeat: null, lastSeq: 0 });
  const listenersRef = useRef(listeners);
  useEffect(() => {
    listenersRef.current = listeners;
  });

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: SOCKET_PATH });
    socket.on('connect', () => {
      // A reconnect may reach a restarted server whose seq counter began again at 1.
      setState((s) => ({ ...s, connection: 'live', lastSeq: 0 }));
      listenersRef.current.onConnect?.();
    });
    socket.on('disconnect', () => setState((s) => ({ ...s, connection: 'offline' })));
    socket.on('connect_error', () => setState((s) => ({ ...s, connection: 'offline' })));
    socket.on('system:status', (status) =>
      setState((s) => (status.seq <= s.lastSeq ? s : { ...s, status, lastSeq: status.seq })),
    );
    socket.on('system:heartbeat', (beat) =>
      setState((s) => (beat.seq <= s.lastSeq ? s : { ...s, lastHeartbeat: beat, lastSeq: beat.seq })),
    );
    socket.on('study:updated', (update) => listenersRef.current.onStudyUpdated?.(update));
    return () => {
      socket.close();
    };
  }, []);

  return state;
}
