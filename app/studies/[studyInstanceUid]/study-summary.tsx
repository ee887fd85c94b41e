import { LABELS } from '@/lib/labels';
import type { StudyDetail } from '@/lib/study-detail';
import { formatDateTime } from '@/lib/format-date-time';
import { flagReason } from '@/lib/study-decision';
import { describeStatus, formatPercent } from '../../worklist/format';
import { plainReason } from '@/lib/plain-reason';
import { LABEL_COLOURS } from './label-colours';

// Seconds matter here (minutes to triage); the date appears whenever the instant is not today.
const time = (iso: string | null) => formatDateTime(iso, { seconds: true });
const after = (from: string, to: string | null) => (to ? ` (+${Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000))} s)` : '');

/**
 * What the model concluded and from what: why it is flagged (in words), per-label study results
 * against the study-level points it was decided by, model, series, timings, history.
 */
export function StudySummary({ detail }: { detail: StudyDetail }) {
  const { study, model } = detail;
  const chosen = detail.series.find((s) => s.chosen);
  const rejected = detail.series.filter((s) => s.rejectedReason);
  return (
    <div className="flex flex-col gap-4 text-sm" data-testid="study-summary">
      {study.outcome === 'not_analysable' && (
        <p className="rounded border border-amber-400/50 bg-amber-400/10 p-3 text-amber-200" role="alert" data-testid="not-analysable">
          <strong className="block">Not analysable — read this study yourself.</strong>
          {plainReason(study.notAnalysableReason ?? 'no reason recorded')}
        </p>
      )}
      {study.possiblyIncomplete && (
        <p className="rounded border border-amber-400/50 bg-amber-400/10 p-3 text-amber-200" role="status" data-testid="possibly-incomplete">
          <strong className="block">Possibly incomplete — slices may be missing.</strong>
          Triaged from the slices that arrived once none came for the quiet period, and they do not cover the head from the skull base to the
          vertex (a gap, or cut short): the sender may have stopped mid-study. If the rest arrives the study is re-opened and triaged again.
        </p>
      )}
      {study.decision && study.probabilities.any !== null && study.outcome !== 'not_analysable' && (
        <p className={study.flagged ? 'text-red-200' : 'text-muted'} data-testid="flag-reason">
          <strong className="font-semibold">{study.flagged ? 'Flagged' : 'Not flagged'}:</strong> {flagReason(study.probabilities.any, study.decision)}.
        </p>
      )}
      <table className="w-full border-collapse text-left" aria-label="Study probability per label against its study-level operating point">
        <thead className="text-xs uppercase tracking-wide text-muted">
          <tr>
            <th scope="col" className="py-1 font-medium">Label</th>
            <th scope="col" className="py-1 pl-3 text-right font-medium">Study</th>
            <th scope="col" className="py-1 pl-3 text-right font-medium" title="The study-level point it was decided by">Study point</th>
            <th scope="col" className="py-1 pl-3 text-right font-medium">Flag</th>
          </tr>
        </thead>
        <tbody className="font-mono tabular-nums">
          {LABELS.map((l) => {
            const p = study.probabilities[l];
            const flagged = l === 'any' ? study.flagged : study.flags[l];
            const point = l === 'any' ? study.decision?.threshold : study.decision?.subtypeThresholds?.[l];
            return (
              <tr key={l} className="border-t border-edge" data-testid={`label-${l}`}>
                <th scope="row" className="py-1 font-sans font-normal">
                  <span aria-hidden className="mr-2 inline-block h-2 w-2 rounded-full" style={{ background: LABEL_COLOURS[l] }} />
                  {l}
                </th>
                <td className="py-1 text-right">{p === null ? '—' : formatPercent(p)}</td>
                <td className="py-1 text-right text-muted" title={point === undefined && l !== 'any' ? 'no study-level point: never shown as suspected' : undefined}>
                  {point === undefined ? '—' : formatPercent(point)}
                </td>
                <td className="py-1 text-right">
                  {flagged ? (
                    <span className="rounded bg-alert px-1.5 text-xs font-bold text-surface">{l === 'any' ? 'FLAG' : 'suspected'}</span>
                  ) : (
                    <span className="sr-only">no</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        <dt className="text-muted">Status</dt>
        <dd data-testid="summary-status">{plainReason(describeStatus(study))}</dd>
        <dt className="text-muted">Model</dt>
        <dd>{model ? `${model.name} ${model.version}` : '—'}{model?.provider && ` on ${model.provider}`}</dd>
        <dt className="text-muted">Aggregation</dt>
        <dd>{model?.aggregation ?? '—'}</dd>
        <dt className="text-muted">Series used</dt>
        <dd>
          {chosen ? `${chosen.description ?? 'unnamed series'}${chosen.kernel ? ` (${chosen.kernel})` : ''}, ${chosen.instances} slices` : 'none'}
          {detail.seriesChoiceReason && <div className="text-xs text-muted">{plainReason(detail.seriesChoiceReason)}</div>}
        </dd>
        {rejected.length > 0 && (
          <>
            <dt className="text-muted">Not used</dt>
            <dd>
              {rejected.map((s) => (
                <div key={s.seriesInstanceUid}>
                  {s.description ?? 'unnamed series'}: {plainReason(s.rejectedReason ?? '')}
                </div>
              ))}
            </dd>
          </>
        )}
        <dt className="text-muted">Received</dt>
        <dd className="tabular-nums">{time(study.receivedAt)}</dd>
        <dt className="text-muted">Complete</dt>
        <dd className="tabular-nums">{time(study.completedAt)}{after(study.receivedAt, study.completedAt)}</dd>
        <dt className="text-muted">Triaged</dt>
        <dd className="tabular-nums">{time(study.triagedAt)}{after(study.receivedAt, study.triagedAt)}</dd>
      </dl>
      <div>
        <h3 className="mb-1 text-xs uppercase tracking-wide text-muted">Why it ranks {study.rank > 0 ? `#${study.rank}` : 'here'}</h3>
        <ul className="flex flex-col gap-0.5" data-testid="rank-reasons">
          {detail.priority.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      </div>
      <div>
        <h3 className="mb-1 text-xs uppercase tracking-wide text-muted">Status history</h3>
        <ol className="flex flex-col gap-0.5" data-testid="status-history">
          {detail.history.map((h, i) => (
            <li key={i} className="flex gap-3">
              <time className="shrink-0 font-mono text-xs tabular-nums text-muted" dateTime={h.at}>{time(h.at)}</time>
              <span>
                {h.to.replace('_', ' ')}
                {h.reason && <span className="text-muted"> — {plainReason(h.reason)}</span>}
              </span>
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
