import { describe, expect, it } from 'vitest';
import { holdOrder } from './hold-order';
import { row } from './worklist-fixture';

const ids = (v: ReturnType<typeof holdOrder>) => v.rows.map((r) => `${r.study.rank}${r.left ? '(left)' : ''}`);

describe('holding the worklist order', () => {
  it('keeps the held order with the newest data and counts what waits', () => {
    const held = [row(1), row(2), row(3)];
    // Study 3 became flagged and rose to the top; study 4 arrived; study 2 was reported.
    const live = [row(3, { rank: 1, flagged: true }), row(1, { rank: 2 }), row(4, { rank: 3 })];
    const view = holdOrder(held, live);
    expect(ids(view)).toEqual(['2', '2(left)', '1']);
    expect(view.rows[2]!.study.flagged).toBe(true);
    // 1 arrived + 1 left + the two that stayed swapped places.
    expect(view.pending).toBe(4);
  });

  it('has nothing pending when only the data changed', () => {
    const held = [row(1), row(2)];
    expect(holdOrder(held, [row(1, { probabilities: { ...row(1).probabilities, any: 0.5 } }), row(2)]).pending).toBe(0);
  });
});
