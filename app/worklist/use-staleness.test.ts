import { describe, expect, it } from 'vitest';
import { nextFreshness, type Freshness } from './use-staleness';

describe('worklist freshness', () => {
  it('goes stale with the time it was last current, then live again, then plain current', () => {
    let s: Freshness = { kind: 'current' };
    s = nextFreshness(s, { type: 'stale', since: 1_000 });
    expect(s).toEqual({ kind: 'stale', since: 1_000 });
    // A later stale signal does not move "since": the list has not been updated since the first.
    expect(nextFreshness(s, { type: 'stale', since: 9_000 })).toEqual({ kind: 'stale', since: 1_000 });
    s = nextFreshness(s, { type: 'live' });
    expect(s).toEqual({ kind: 'live-again' });
    expect(nextFreshness(s, { type: 'settled' })).toEqual({ kind: 'current' });
  });

  it('says nothing about a connection that was never stale', () => {
    expect(nextFreshness({ kind: 'current' }, { type: 'live' })).toEqual({ kind: 'current' });
    expect(nextFreshness({ kind: 'current' }, { type: 'settled' })).toEqual({ kind: 'current' });
    // "settled" from an older live period cannot clear a new outage.
    expect(nextFreshness({ kind: 'stale', since: 5 }, { type: 'settled' })).toEqual({ kind: 'stale', since: 5 });
  });
});
