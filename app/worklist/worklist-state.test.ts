import { describe, expect, it } from 'vitest';
import type { StudyUpdate } from '@/lib/realtime-events';
import type { WorklistItem } from '@/lib/worklist';
import { row } from './worklist-fixture';
import { initialWorklistState, worklistReducer, type WorklistAction, type WorklistState } from './worklist-state';

const update = (seq: number, study: WorklistItem): WorklistAction => ({ type: 'updated', update: { seq, change: 'updated', study } as StudyUpdate });
const run = (state: WorklistState, ...actions: WorklistAction[]) => actions.reduce(worklistReducer, state);

describe('worklist reducer', () => {
  const ready = run(initialWorklistState, { type: 'fetch-started' }, { type: 'fetch-succeeded', studies: [row(1, { flagged: true, outcome: 'flagged' }), row(2)] });

  it('alerts once when a study becomes flagged live, not for the snapshot or later updates', () => {
    expect(ready.alerts).toEqual([]);
    const flaggedNow = row(2, { flagged: true, outcome: 'flagged', probabilities: { ...row(2).probabilities, any: 0.9 } });
    const s = run(ready, update(5, flaggedNow), update(6, { ...flaggedNow, assignee: 'ana' }));
    expect(s.alerts).toEqual([{ studyInstanceUid: flaggedNow.studyInstanceUid, patient: flaggedNow.patient, seq: 5 }]);
    expect(s.unseenFlagged).toBe(1);
    expect(s.studies.map((x) => [x.studyInstanceUid, x.rank])).toEqual([
      [flaggedNow.studyInstanceUid, 1],
      [row(1).studyInstanceUid, 2],
    ]);
    expect(s.studies[0]!.assignee).toBe('ana');
    const dismissed = run(s, { type: 'alerts-dismissed' });
    expect(dismissed.alerts).toEqual([]);
    expect(dismissed.unseenFlagged).toBe(1); // the title count is cleared by looking, not by dismissing
  });

  it('puts the newest alert first, once per study, at most five', () => {
    let s = ready;
    for (let n = 10; n < 17; n++) s = run(s, update(n, row(n, { flagged: true, outcome: 'flagged' })));
    expect(s.alerts.map((a) => a.seq)).toEqual([16, 15, 14, 13, 12]);
    // Unflagged by a rescore, then flagged again: a new alert, not a duplicate.
    s = run(s, update(20, row(14)), update(21, row(14, { flagged: true, outcome: 'flagged' })));
    expect(s.alerts.map((a) => a.seq)).toEqual([21, 16, 15, 13, 12]);
  });

  it('ignores a stale or repeated event', () => {
    const s = run(ready, update(5, row(3, { flagged: true })));
    expect(run(s, update(5, row(4, { flagged: true })))).toBe(s);
  });
});
