'use client';

import { useRef, type KeyboardEvent } from 'react';
import type { HeldOrder } from './use-held-order';
import { useNow } from './use-now';
import { useWorklistKeys } from './use-worklist-keys';
import { WorklistRow } from './worklist-row';

const COLUMNS = ['Rank', 'Any hemorrhage', 'Subtypes', 'Flag', 'Status', 'Slices', 'Patient', 'Assignee', 'Arrived'];

interface Props {
  order: HeldOrder;
  highlighted: readonly string[];
  phase: 'loading' | 'ready' | 'error';
  /** Studies on the live list before filtering: tells "none yet" from "none match". */
  total: number;
}

const NEXT_KEYS = new Set(['ArrowDown', 'j']);
const PREVIOUS_KEYS = new Set(['ArrowUp', 'k']);

/** ↑/↓ (and j/k as in most reading-room tools), Home and End move focus between rows. */
function moveFocus(e: KeyboardEvent<HTMLTableRowElement>) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const row = e.currentTarget;
  const target =
    NEXT_KEYS.has(e.key) ? row.nextElementSibling
    : PREVIOUS_KEYS.has(e.key) ? row.previousElementSibling
    : e.key === 'Home' ? row.parentElement?.firstElementChild
    : e.key === 'End' ? row.parentElement?.lastElementChild
    : null;
  if (target instanceof HTMLElement) {
    e.preventDefault();
    target.focus();
  }
}

/** The live worklist table, most urgent first; its order holds while the user works in it. */
export function WorklistTable({ order, highlighted, phase, total }: Props) {
  const now = useNow();
  const table = useRef<HTMLTableElement>(null);
  useWorklistKeys(table);
  if (order.rows.length === 0) {
    return (
      <p className="mt-2 text-muted" data-testid="worklist-empty">
        {phase === 'loading' ? 'Loading worklist…'
          : phase === 'error' ? 'The worklist could not be loaded; retrying when the connection returns.'
          : total > 0 ? 'No study matches these filters.'
          : 'No studies yet — the demo scanner sends one every ~30 s'}
      </p>
    );
  }
  return (
    <div className="-mx-2 overflow-x-auto" onPointerMove={order.touch} onPointerLeave={order.release} onKeyDown={order.touch}>
      <table ref={table} className="worklist-cards w-full border-collapse lg:min-w-[60rem] text-left text-sm" aria-label="Worklist, most urgent first" data-testid="worklist" data-held={order.held}>
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
          {order.rows.map(({ study, left }) => (
            <WorklistRow
              key={study.studyInstanceUid}
              study={study}
              now={now}
              left={left}
              highlighted={highlighted.includes(study.studyInstanceUid)}
              onKeyDown={moveFocus}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
