'use client';

import { useEffect, useRef } from 'react';
import {
  ARRIVAL_FILTER_TEXT,
  ARRIVAL_FILTERS,
  DEFAULT_FILTER,
  isFiltered,
  STATUS_FILTER_TEXT,
  STATUS_FILTERS,
  type ArrivalFilter,
  type StatusFilter,
  type WorklistFilter,
} from './worklist-filter';

interface Props {
  filter: WorklistFilter;
  onChange: (next: WorklistFilter) => void;
}

const CONTROL = 'rounded border border-edge bg-surface px-2 py-1 text-sm text-ink focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400';

const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** True when a key press is meant for a text field, not a page shortcut. */
function typingIn(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return !NOT_TEXT.has(target.type);
  return target instanceof HTMLElement && (target.isContentEditable || target.tagName === 'TEXTAREA');
}

/** Search and filters over the live worklist. "/" focuses the search box from anywhere; Escape clears it. */
export function WorklistToolbar({ filter, onChange }: Props) {
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      e.preventDefault();
      search.current?.focus();
      search.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const set = (patch: Partial<WorklistFilter>) => onChange({ ...filter, ...patch });
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm" role="search" aria-label="Filter the worklist">
      <input
        ref={search}
        type="search"
        value={filter.query}
        onChange={(e) => set({ query: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            set({ query: '' });
          }
        }}
        placeholder="Search patient, subtype, UID…   /"
        aria-label="Search the worklist (press / to focus, Escape to clear)"
        aria-keyshortcuts="/"
        maxLength={64}
        className={`${CONTROL} w-72`}
        data-testid="worklist-search"
      />
      <label className="flex items-center gap-2">
        <span className="text-muted">Status</span>
        <select value={filter.status} onChange={(e) => set({ status: e.target.value as StatusFilter })} className={CONTROL} data-testid="filter-status">
          {STATUS_FILTERS.map((s) => (
            <option key={s} value={s}>
              {STATUS_FILTER_TEXT[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2">
        <span className="text-muted">Arrived</span>
        <select value={filter.arrival} onChange={(e) => set({ arrival: e.target.value as ArrivalFilter })} className={CONTROL} data-testid="filter-arrival">
          {ARRIVAL_FILTERS.map((a) => (
            <option key={a} value={a}>
              {ARRIVAL_FILTER_TEXT[a]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={filter.flaggedOnly} onChange={(e) => set({ flaggedOnly: e.target.checked })} className="accent-sky-400" data-testid="filter-flagged" />
        Flagged only
      </label>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={filter.notAnalysableOnly} onChange={(e) => set({ notAnalysableOnly: e.target.checked })} className="accent-sky-400" data-testid="filter-not-analysable" />
        Not analysable only
      </label>
      {isFiltered(filter) && (
        <button type="button" onClick={() => onChange(DEFAULT_FILTER)} className="text-sky-300 underline-offset-4 hover:underline" data-testid="filter-clear">
          Clear filters
        </button>
      )}
    </div>
  );
}
