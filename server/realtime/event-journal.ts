import type { RoomName, RoomResume, StudyChange, StudyUpdate } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import type { DatabaseProvider, DbClient, Prisma } from '@/server/db';

/** The journal row's `type` for study events. */
const STUDY_EVENT = 'study:updated';

/**
 * Serialises appends on PostgreSQL (SQLite serialises writers itself): an event's seq is taken and
 * committed under this lock, so commit order equals seq order and no reader ever sees seq n+1
 * while n is still uncommitted; the `prevSeq` chain read inside the lock is then exact.
 */
const APPEND_LOCK = 0x1c4_e7e7;

interface StoredPayload {
  prevSeq: number;
  change: StudyChange;
  study: WorklistItem;
}

export interface EventJournalOptions {
  /** A resume that would replay more than this gets a snapshot instead (one GET is cheaper). */
  maxReplay?: number;
}

/**
 * The durable, sequenced record of realtime study events (`RealtimeEvent`). The row id is the
 * event's seq; each event stores the seq of the previous event of its room, so a chain per room
 * tells replay (and clients) whether anything in between is missing.
 */
export class EventJournal {
  readonly maxReplay: number;

  constructor(
    private readonly prisma: DbClient,
    private readonly provider: DatabaseProvider,
    options: EventJournalOptions = {},
  ) {
    this.maxReplay = options.maxReplay ?? 1000;
  }

  /** Appends a study event to a room and returns it as sent to clients. */
  async appendStudy(room: RoomName, change: StudyChange, study: WorklistItem): Promise<StudyUpdate> {
    return this.prisma.$transaction(async (tx) => {
      if (this.provider === 'postgresql') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      const previous = await tx.realtimeEvent.findFirst({ where: { room }, orderBy: { seq: 'desc' }, select: { seq: true } });
      const payload: StoredPayload = { prevSeq: previous?.seq ?? 0, change, study };
      const row = await tx.realtimeEvent.create({
        data: { room, type: STUDY_EVENT, payload: payload as unknown as Prisma.InputJsonValue },
        select: { seq: true },
      });
      return { seq: row.seq, prevSeq: payload.prevSeq, room, change, study };
    });
  }

  /** The newest seq of a room, 0 when it has none. */
  async head(room: RoomName): Promise<number> {
    const last = await this.prisma.realtimeEvent.findFirst({ where: { room }, orderBy: { seq: 'desc' }, select: { seq: true } });
    return last?.seq ?? 0;
  }

  /**
   * What a client at `cursor` missed in `room`: the events after it, oldest first, when the chain
   * from the cursor is intact and short enough; otherwise a snapshot from the current head.
   */
  async resume(room: RoomName, cursor: number | null): Promise<RoomResume> {
    const snapshot = async (reason: Extract<RoomResume, { kind: 'snapshot' }>['reason']): Promise<RoomResume> => ({
      kind: 'snapshot',
      head: await this.head(room),
      reason,
    });
    if (cursor === null) return snapshot('no-cursor');
    const rows = await this.prisma.realtimeEvent.findMany({
      where: { room, type: STUDY_EVENT, seq: { gt: cursor } },
      orderBy: { seq: 'asc' },
      take: this.maxReplay + 1,
    });
    if (rows.length > this.maxReplay) return snapshot('too-large');
    const events = rows.map((r) => toUpdate(r.seq, room, r.payload));
    if (events.length === 0) {
      // Nothing after the cursor: exact only if the cursor is this room's head, not a seq from a
      // database that was since replaced.
      return cursor === (await this.head(room)) ? { kind: 'replay', events } : snapshot('unknown-cursor');
    }
    // The first missed event must follow the cursor directly; otherwise what lay between was pruned.
    return events[0]!.prevSeq === cursor ? { kind: 'replay', events } : snapshot('pruned');
  }

  /**
   * Deletes events older than `before`, always keeping each room's newest (the chain's anchor, so
   * the next event's `prevSeq` is still known). Returns how many were deleted.
   */
  async prune(before: Date): Promise<number> {
    const heads = await this.prisma.realtimeEvent.groupBy({ by: ['room'], _max: { seq: true } });
    const keep = heads.map((h) => h._max.seq).filter((s): s is number => s !== null);
    const { count } = await this.prisma.realtimeEvent.deleteMany({ where: { createdAt: { lt: before }, seq: { notIn: keep } } });
    return count;
  }
}

function toUpdate(seq: number, room: RoomName, payload: unknown): StudyUpdate {
  const p = payload as StoredPayload;
  return { seq, prevSeq: p.prevSeq, room, change: p.change, study: p.study };
}
