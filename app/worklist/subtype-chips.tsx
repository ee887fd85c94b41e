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

/** One chip per subtype with a probability; subtypes above their operating point stand out. */
export function SubtypeChips({ study }: { study: WorklistItem }) {
  const shown = SUBTYPES.filter((label) => study.probabilities[label] !== null);
  if (shown.length === 0) return <span className="text-muted">—</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Subtype probabilities">
      {shown.map((label) => {
        const p = study.probabilities[label] ?? 0;
        const flagged = study.flags[label];
        return (
          <li
            key={label}
            title={`${label}${flagged ? ' (flagged)' : ''}`}
            aria-label={`${label} ${formatPercent(p)}${flagged ? ', flagged' : ''}`}
            className={`whitespace-nowrap rounded border px-1 py-0.5 font-mono text-xs tabular-nums ${
              flagged ? 'border-alert bg-alert/15 font-semibold text-red-200' : 'border-edge text-muted'
            }`}
          >
            {SHORT[label]} {formatPercent(p)}
          </li>
        );
      })}
    </ul>
  );
}
