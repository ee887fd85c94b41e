import type { RoomResume, StudyUpdate } from '@/lib/realtime-events';

/** How long an out-of-order event waits for the one before it before the client asks to resume. */
export const GAP_WAIT_MS = 300;

/** What the sequencer asks its driver to do after an input. */
export interface SequencerOutput {
  /** In order, each once: hand to onStudyUpdated. */
  deliver: StudyUpdate[];
  /** Set after a snapshot answer: the consumer must resync from this head. */
  resyncHead?: number;
  /** Something is missing: resume unless it arrives within GAP_WAIT_MS (it may be on its way). */
  gap: boolean;
}

/**
 * Turns the room's events as they arrive (live, replayed, out of order across server nodes,
 * repeated) into one exact stream: every event once, in seq order, with nothing skipped. Each
 * event names its predecessor (`prevSeq`), so a hole is noticed the moment it appears. Pure: the
 * socket wiring is in attachRealtime.
 */
export class RoomSequencer {
  /** The seq of the last event delivered; null until the first resume answer. */
  cursor: number | null = null;
  /** A resume is in flight: live events wait for its answer. */
  resuming = false;
  private pending: StudyUpdate[] = [];

  /** The cursor to send with a resume; marks the resume as in flight. */
  beginResume(): number | null {
    this.resuming = true;
    return this.cursor;
  }

  /** A resume could not be answered (error or timeout): live events wait until the next try. */
  resumeFailed(): void {
    this.resuming = false;
  }

  /** The connection dropped: what was held will come back through the next resume. */
  disconnected(): void {
    this.resuming = false;
    this.pending = [];
  }

  /** An event pushed by the server. */
  live(update: StudyUpdate): SequencerOutput {
    if (this.resuming || this.cursor === null) {
      this.pending.push(update);
      // Without a cursor and no resume in flight (the last one failed), only a resume can help.
      return { deliver: [], gap: !this.resuming };
    }
    if (update.seq <= this.cursor) return { deliver: [], gap: false };
    this.pending.push(update);
    return this.drain([]);
  }

  /** The server's answer to the resume begun last. */
  resumed(answer: RoomResume): SequencerOutput {
    this.resuming = false;
    const deliver: StudyUpdate[] = [];
    let resyncHead: number | undefined;
    if (answer.kind === 'snapshot') {
      this.cursor = answer.head;
      resyncHead = answer.head;
    } else {
      for (const event of answer.events) {
        if (this.cursor !== null && event.seq <= this.cursor) continue;
        deliver.push(event);
        this.cursor = event.seq;
      }
    }
    const out = this.drain(deliver);
    return resyncHead === undefined ? out : { ...out, resyncHead };
  }

  /** A heartbeat: behind the room's head means an event was lost on the way. */
  heartbeat(head: number | undefined): SequencerOutput {
    if (this.resuming) return { deliver: [], gap: false };
    return { deliver: [], gap: this.cursor === null || (head !== undefined && head > this.cursor) };
  }

  /** Delivers held events that now follow the cursor; reports a gap when some still cannot. */
  private drain(deliver: StudyUpdate[]): SequencerOutput {
    const cursor = (): number => this.cursor ?? 0;
    this.pending.sort((a, b) => a.seq - b.seq);
    const held: StudyUpdate[] = [];
    for (const event of this.pending) {
      if (event.seq <= cursor()) continue;
      if (event.prevSeq === cursor()) {
        deliver.push(event);
        this.cursor = event.seq;
      } else {
        held.push(event);
      }
    }
    // Sorted by seq, an event's predecessor always comes before it, so one pass delivers every
    // event that can be delivered.
    this.pending = held.filter((e) => e.seq > cursor());
    return { deliver, gap: this.pending.length > 0 };
  }
}
