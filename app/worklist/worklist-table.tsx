'use client';

import type { KeyboardEvent } from 'react';
import type { WorklistItem } from '@/lib/worklist';
import { useNow } from './use-now';
import { WorklistRow } from './worklist-row';

const COLUMNS = ['Rank', 'Any hemorrhage', 'Subtypes', 'Flag', 'Status', 'Slices', 'Patient', 'Arrived', 'Model'];

interface Props {
  studies: WorklistItem[];
  highlighted: readonly string[];
  phase: 'loading' | 'ready' | 'error';
}

/** Arrow up/down, Home and End move focus between rows. */
function moveFocus(e: KeyboardEvent<HTMLTableRowElement>) {
  const row = e.currentTarget;
  const target =
    e.key === 'ArrowDown' ? row.nextElementSibling
    : e.key === 'ArrowUp' ? row.previousElementSibling
    : e.key === 'Home' ? row.parentElement?.firstElementChild
    : e.key === 'End' ? row.parentElement?.lastElementChild
    : null;
  if (target instanceof HTMLElement) {
    e.preventDefault();
    target.focus();
  }
}

/** The live worklist table, most urgent first. */
export function WorklistTable({ studies, highlighted, phase }: Props) {
  const now = useNow();
  if (studies.length === 0) {
    return (
      <p className="mt-2 text-muted" data-testid="worklist-empty">
        {phase === 'loading' ? 'Loading worklist…'
          : phase === 'error' ? 'The worklist could not be loaded; retrying when the connection returns.'
          : 'No studies yet — the demo scanner sends one every ~30 s'}
      </p>
    );
  }
  return (
    <div className="-mx-2 overflow-x-auto">
      <table className="w-full min-w-[56rem] border-collapse text-left text-sm" aria-label="Worklist, most urgent first" data-testid="worklist">
        <thead className="text-xs uppercase tracking-wide text-muted">
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className="px-3 py-2 font-medium">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {studies.map((s) => (
            <WorklistRow key={s.studyInstanceUid} study={s} now={now} highlighted={highlighted.includes(s.studyInstanceUid)} onKeyDown={moveFocus} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
