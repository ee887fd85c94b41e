import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ResumeFailure, ResumeRequest, ResumeResponse, ServerToClientEvents, StudyUpdate, SystemStatus } from '@/lib/realtime-events';
import { SOCKET_PATH } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import type { Database } from '@/server/db';
import { createLogger } from '@/server/logging';
import { EventJournal, RealtimeHub, type EventJournalOptions, type Fanout } from '@/server/realtime';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A hub on its own HTTP server over `db`, letting every socket in as a clinician. */
export interface RunningHub {
  hub: RealtimeHub;
  journal: EventJournal;
  url: string;
  stop(): Promise<void>;
}

export async function startHub(
  db: Database,
  options: { fanout?: Fanout; journal?: EventJournalOptions; heartbeatIntervalMs?: number; port?: number } = {},
): Promise<RunningHub> {
  const server = createServer();
  const journal = new EventJournal(db.prisma, db.provider, options.journal);
  const hub = new RealtimeHub(
    server,
    {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
      status: () => ({ version: '0.0.0-test', startedAt: '2026-01-01T00:00:00.000Z', model: null }),
      authenticate: async () => ({ kind: 'user', role: 'clinician' }),
      journal,
      ...(options.fanout ? { fanout: options.fanout } : {}),
    },
    createLogger('silent'),
  );
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  hub.start();
  return { hub, journal, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => hub.stop() };
}

/** A real socket.io-client that records every study event and status it receives, from the moment it connects. */
export async function connectClient(url: string): Promise<{ socket: Client; live: StudyUpdate[]; statuses: SystemStatus[] }> {
  const socket: Client = connect(url, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true });
  const live: StudyUpdate[] = [];
  const statuses: SystemStatus[] = [];
  socket.on('study:updated', (u) => live.push(u));
  socket.on('system:status', (s) => statuses.push(s));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, live, statuses };
}

/** Sends a resume and returns the server's answer. */
export function resume(socket: Client, request: ResumeRequest | unknown): Promise<ResumeResponse | ResumeFailure> {
  return socket.timeout(5000).emitWithAck('realtime:resume', request as ResumeRequest);
}

/** Waits until `check` holds, polling. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A plausible worklist row; `n` makes it distinct. */
export function worklistItem(n: number, any = 0.1): WorklistItem {
  return {
    studyInstanceUid: `1.2.826.0.1.3680043.8.498.${n}`,
    status: 'analysing',
    outcome: null,
    rank: 1,
    priorityTier: 2,
    flagged: false,
    probabilities: { any, epidural: 0, intraparenchymal: 0, intraventricular: 0, subarachnoid: 0, subdural: 0 },
    flags: { epidural: false, intraparenchymal: false, intraventricular: false, subarachnoid: false, subdural: false },
    notAnalysableReason: null,
    possiblyIncomplete: false,
    slices: { received: 40, analysed: n % 40, failed: 0 },
    patient: 'A.B. …12',
    patientSex: null,
    patientAge: null,
    receivedAt: '2026-01-01T00:00:00.000Z',
    completedAt: null,
    triagedAt: null,
    model: null,
    assignee: null,
    escalated: false,
    decision: null,
  };
}
