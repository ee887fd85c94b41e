import { formatPercent } from './format';

/** The "any hemorrhage" probability as a bar with its number; "—" before the first slice is scored. */
export function ProbabilityBar({ value, flagged }: { value: number | null; flagged: boolean }) {
  if (value === null) return <span className="text-muted">—</span>;
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div className="flex items-center gap-2" data-testid="probability">
      <div
        role="meter"
        aria-label="Probability of any hemorrhage"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-2 w-20 overflow-hidden rounded-full bg-edge"
      >
        <div className={`h-full rounded-full ${flagged ? 'bg-alert' : 'bg-sky-400'}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="w-10 text-right font-mono tabular-nums">{formatPercent(value)}</span>
    </div>
  );
}
