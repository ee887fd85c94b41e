'use client';

import { useEffect, type RefObject } from 'react';

const FIRST_KEYS = new Set(['j', 'ArrowDown', 'k', 'ArrowUp', 'Home']);

/**
 * The worklist's keys from anywhere on the page, not only once a row has focus: with focus on
 * nothing in particular, j/k/↓/↑/Home select the first study and Enter opens it (the list is most
 * urgent first), End the last. Focus in a row, a control or a text field keeps its own keys.
 */
export function useWorklistKeys(table: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      if (t instanceof Element && t !== document.body && t !== document.documentElement) return;
      const rows = table.current?.querySelectorAll<HTMLElement>('[data-testid="worklist-row"]');
      const first = rows?.[0];
      if (!rows || !first) return;
      if (FIRST_KEYS.has(e.key)) first.focus();
      else if (e.key === 'End') rows[rows.length - 1]!.focus();
      else if (e.key === 'Enter') first.querySelector<HTMLElement>('[data-testid="open-study"]')?.click();
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [table]);
}
