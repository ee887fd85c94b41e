'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { WorklistItem } from '@/lib/worklist';
import { holdOrder, type HeldRow } from './hold-order';

/**
 * How long the order stays held after the last pointer move or key in the table. Long enough to aim
 * and click; short enough that a pointer parked over the table cannot hide a new flagged study at
 * the top for long (the banner and the title announce it meanwhile).
 */
const HOLD_IDLE_MS = 6_000;

export interface HeldOrder {
  rows: HeldRow[];
  /** Changes waiting while the order is held (0 when not held). */
  pending: number;
  held: boolean;
  /** Call on pointer movement or a key inside the table: starts or extends the hold. */
  touch: () => void;
  /** Ends the hold now (the pointer left, or the user asked to see the changes). */
  release: () => void;
}

/**
 * Holds the row order while the user is working in the table, so a live reorder never moves a row
 * out from under the pointer. `viewKey` names the current filter: changing it ends the hold, since
 * the user asked for a different list.
 */
export function useHeldOrder(live: WorklistItem[], viewKey: string): HeldOrder {
  const [frozen, setFrozen] = useState<{ rows: WorklistItem[]; viewKey: string } | null>(null);
  const liveRef = useRef(live);
  const viewKeyRef = useRef(viewKey);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    liveRef.current = live;
    viewKeyRef.current = viewKey;
  }, [live, viewKey]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const release = useCallback(() => {
    clearTimeout(timer.current);
    setFrozen(null);
  }, []);
  const touch = useCallback(() => {
    setFrozen((f) => (f && f.viewKey === viewKeyRef.current ? f : { rows: liveRef.current, viewKey: viewKeyRef.current }));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setFrozen(null), HOLD_IDLE_MS);
  }, []);

  if (!frozen || frozen.viewKey !== viewKey) return { rows: live.map((study) => ({ study, left: false })), pending: 0, held: false, touch, release };
  return { ...holdOrder(frozen.rows, live), held: true, touch, release };
}
