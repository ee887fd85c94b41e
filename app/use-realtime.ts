'use client';

import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Heartbeat, ServerToClientEvents, SystemStatus } from '@/lib/realtime-events';
import { SOCKET_PATH } from '@/lib/realtime-events';

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface RealtimeState {
  connection: ConnectionState;
  status: SystemStatus | null;
  lastHeartbeat: Heartbeat | null;
  /** The highest sequence number seen; older events are ignored. */
  lastSeq: number;
}

/** Connects to the server's Socket.IO endpoint and keeps the latest sequenced state. */
export function useRealtime(): RealtimeState {
  const [state, setState] = useState<RealtimeState>({ connection: 'connecting', status: null, lastHeartbeat: null, lastSeq: 0 });

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: SOCKET_PATH });
    socket.on('connect', () => setState((s) => ({ ...s, connection: 'live' })));
    socket.on('disconnect', () => setState((s) => ({ ...s, connection: 'offline' })));
    socket.on('connect_error', () => setState((s) => ({ ...s, connection: 'offline' })));
    socket.on('system:status', (status) =>
      setState((s) => (status.seq <= s.lastSeq ? s : { ...s, status, lastSeq: status.seq })),
    );
    socket.on('system:heartbeat', (beat) =>
      setState((s) => (beat.seq <= s.lastSeq ? s : { ...s, lastHeartbeat: beat, lastSeq: beat.seq })),
    );
    return () => {
      socket.close();
    };
  }, []);

  return state;
}
