import { SUBTYPES } from '@/lib/labels';
import type { WorklistItem } from '@/lib/worklist';
import { formatPercent } from './format';

const SHORT: Record<(typeof SUBTYPES)[number], string> = {
  epidural: 'EDH',
  intraparenchymal: 'IPH',
  intraventricular: 'IVH',
  subarachnoid: 'SAH',
  subdural: 'SDH',
};

/**
 * The suspected subtypes of a flagged study: only those at or above their own study-level point
 * (`study.flags`, decided by the server). A study that is not flagged, or a subtype the model has no
 * study-level point for, shows none: a chip is a claim, not a probability readout.
 */
export function SubtypeChips({ study }: { study: WorklistItem }) {
  const suspected = study.flagged ? SUBTYPES.filter((label) => study.flags[label]) : [];
  if (suspected.length === 0) return <span className="text-muted">—</span>;
  return (
    <ul className="flex flex-wrap items-center gap-1" aria-label="Suspected subtypes">
      <li className="text-xs text-muted" aria-hidden>
        suspected
      </li>
      {suspected.map((label) => {
        const p = study.probabilities[label] ?? 0;
        return (
          <li
            key={label}
            title={`suspected ${label}: ${formatPercent(p)}, at or above its study-level point`}
            aria-label={`suspected ${label} ${formatPercent(p)}`}
            data-testid="suspected-subtype"
            className="whitespace-nowrap rounded border border-alert bg-alert/15 px-1 py-0.5 font-mono text-xs font-semibold tabular-nums text-red-200"
          >
            {SHORT[label]} {formatPercent(p)}
          </li>
        );
      })}
    </ul>
  );
}
