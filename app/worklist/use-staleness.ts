'use client';

import { useEffect, useReducer } from 'react';
import type { ConnectionState } from '../use-realtime';

/** A blip shorter than this (a proxy hiccup, a reconnect) does not grey the list. */
export const STALE_AFTER_MS = 3_000;
/** How long "Live again" stays up once the list is current again. */
export const LIVE_AGAIN_MS = 6_000;

export type Freshness =
  | { kind: 'current' }
  /** Not live for STALE_AFTER_MS: what is on screen dates from `since` (client clock). */
  | { kind: 'stale'; since: number }
  /** Live again after having been stale. */
  | { kind: 'live-again' };

export type FreshnessEvent = { type: 'stale'; since: number } | { type: 'live' } | { type: 'settled' };

/** The one transition table: stale only after the wait, "live again" only after stale. */
export function nextFreshness(state: Freshness, event: FreshnessEvent): Freshness {
  switch (event.type) {
    case 'stale':
      return state.kind === 'stale' ? state : { kind: 'stale', since: event.since };
    case 'live':
      return state.kind === 'stale' ? { kind: 'live-again' } : state;
    case 'settled':
      return state.kind === 'live-again' ? { kind: 'current' } : state;
  }
}

/**
 * Whether the worklist on screen can be trusted as current. It is live only while the socket is
 * 'live'; from the moment it stops being so (or from page load if it never was) the clock runs,
 * and after STALE_AFTER_MS the list is stale, until the connection is live again.
 */
export function useStaleness(connection: ConnectionState): Freshness {
  const live = connection === 'live';
  const [freshness, dispatch] = useReducer(nextFreshness, { kind: 'current' });
  useEffect(() => {
    if (live) {
      // From timers, not the effect body: the state follows the clock and the socket.
      const now = setTimeout(() => dispatch({ type: 'live' }), 0);
      const settle = setTimeout(() => dispatch({ type: 'settled' }), LIVE_AGAIN_MS);
      return () => {
        clearTimeout(now);
        clearTimeout(settle);
      };
    }
    // The list was last known current at this moment.
    const since = Date.now();
    const t = setTimeout(() => dispatch({ type: 'stale', since }), STALE_AFTER_MS);
    return () => clearTimeout(t);
  }, [live]);
  return freshness;
}
