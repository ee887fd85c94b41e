import { describe, expect, it } from 'vitest';
import type { StudyUpdate } from '@/lib/realtime-events';
import { RoomSequencer } from '@/app/realtime/room-sequencer';
import { worklistItem } from './hub-fixture';

function ev(seq: number, prevSeq: number): StudyUpdate {
  return { seq, prevSeq, room: 'worklist', change: 'progress', study: worklistItem(seq) };
}
const seqs = (us: StudyUpdate[]) => us.map((u) => u.seq);

/** The client's ordering rule: every event once, in order, nothing skipped, whatever the arrival order. */
describe('RoomSequencer', () => {
  function atCursor(cursor: number): RoomSequencer {
    const s = new RoomSequencer();
    s.beginResume();
    s.resumed({ kind: 'replay', events: [] });
    s.cursor = cursor;
    return s;
  }

  it('holds live events until the first resume answer, then continues from the snapshot head', () => {
    const s = new RoomSequencer();
    expect(s.beginResume()).toBeNull();
    expect(s.live(ev(11, 10))).toEqual({ deliver: [], gap: false });
    expect(s.live(ev(9, 8))).toEqual({ deliver: [], gap: false });
    const out = s.resumed({ kind: 'snapshot', head: 10, reason: 'no-cursor' });
    expect(out.resyncHead).toBe(10);
    expect(seqs(out.deliver)).toEqual([11]); // 9 is in the snapshot already
    expect(out.gap).toBe(false);
  });

  it('puts out-of-order arrivals (two nodes) back in order and drops repeats', () => {
    const s = atCursor(10);
    expect(s.live(ev(13, 12))).toMatchObject({ deliver: [], gap: true });
    expect(s.live(ev(12, 11))).toMatchObject({ deliver: [], gap: true });
    const out = s.live(ev(11, 10));
    expect(seqs(out.deliver)).toEqual([11, 12, 13]);
    expect(out.gap).toBe(false);
    expect(s.live(ev(12, 11))).toEqual({ deliver: [], gap: false });
    expect(s.cursor).toBe(13);
  });

  it('fills a gap from a replay and then delivers what was held after it', () => {
    const s = atCursor(10);
    expect(s.live(ev(14, 13)).gap).toBe(true);
    expect(s.beginResume()).toBe(10);
    expect(s.live(ev(15, 14))).toEqual({ deliver: [], gap: false }); // waits for the answer
    const out = s.resumed({ kind: 'replay', events: [ev(11, 10), ev(13, 11), ev(14, 13)] });
    expect(seqs(out.deliver)).toEqual([11, 13, 14, 15]);
    expect(out.gap).toBe(false);
  });

  it('treats a heartbeat head beyond the cursor as a lost event', () => {
    const s = atCursor(10);
    expect(s.heartbeat(10).gap).toBe(false);
    expect(s.heartbeat(undefined).gap).toBe(false);
    expect(s.heartbeat(12).gap).toBe(true);
  });

  it('asks for a resume again when the first one failed, on the next event or heartbeat', () => {
    const s = new RoomSequencer();
    s.beginResume();
    expect(s.live(ev(3, 2)).gap).toBe(false); // the answer is awaited
    s.resumeFailed();
    expect(s.live(ev(4, 3)).gap).toBe(true);
    expect(s.heartbeat(undefined).gap).toBe(true);
    s.beginResume();
    expect(seqs(s.resumed({ kind: 'snapshot', head: 2, reason: 'no-cursor' }).deliver)).toEqual([3, 4]);
  });

  it('forgets held events on disconnect: the next resume brings them back', () => {
    const s = atCursor(10);
    s.live(ev(12, 11));
    s.disconnected();
    s.beginResume();
    const out = s.resumed({ kind: 'replay', events: [] });
    expect(out).toEqual({ deliver: [], gap: false });
  });
});
