'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { formatDateTime } from '@/lib/format-date-time';
import { SUBTYPES } from '@/lib/labels';
import type { OperatingPointsView, PointsInForce } from '@/lib/study-decision';
import { adminApi } from '../admin/users/admin-api';

const SOURCE_WORDS: Record<PointsInForce['source'], string> = {
  manifest: "the model's validated point (manifest)",
  site: "this site's calibration (npm run calibrate)",
  admin: 'a threshold set by an admin',
  'slice-level': "the model's slice-level point (its manifest has no study-level point)",
};

const pct = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v * 100)} %`);
const ci = (v: [number, number] | undefined) => (v ? ` (95 % CI ${pct(v[0])}–${pct(v[1])})` : '');

/** One set of points in words: threshold, target, figures with their intervals, where measured. */
function PointFigures({ points }: { points: PointsInForce }) {
  const any = points.points.any;
  const subtypes = SUBTYPES.filter((l) => points.points[l]);
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
      <dt className="text-muted">Flags a study when</dt>
      <dd className="font-mono tabular-nums">any ≥ {any.threshold.toFixed(3)}</dd>
      <dt className="text-muted">Chosen for</dt>
      <dd>{any.targetSensitivity === undefined ? 'no stated target (no measured figures)' : `${pct(any.targetSensitivity)} study sensitivity`}</dd>
      {any.sensitivity !== undefined && (
        <>
          <dt className="text-muted">Measured there</dt>
          <dd>
            sensitivity {pct(any.sensitivity)}
            {ci(any.sensitivityCi)}, specificity {pct(any.specificity)}
            {ci(any.specificityCi)}; flagged {pct(any.flaggedNormalFraction)} of normal studies
          </dd>
          <dt className="text-muted">Measured on</dt>
          <dd>
            {any.measuredOn ?? '—'}
            {any.positives !== undefined && ` (${any.positives} with a bleed, ${any.negatives} without)`}
          </dd>
        </>
      )}
      <dt className="text-muted">Suspected subtypes</dt>
      <dd>{subtypes.length ? subtypes.map((l) => `${l} ≥ ${points.points[l]!.threshold.toFixed(3)}`).join(', ') : 'none shown (no subtype has a study-level point)'}</dd>
    </dl>
  );
}

/**
 * The operations page's "point in force": which study-level operating point flags studies now, what it
 * was measured on, and (admins) a change to another one, audited, for new decisions only.
 */
export function OperatingPointPanel({ canChange }: { canChange: boolean }) {
  const [view, setView] = useState<OperatingPointsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [use, setUse] = useState<'manifest' | 'site' | 'custom'>('manifest');
  const [threshold, setThreshold] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void adminApi<OperatingPointsView>('/api/operating-points').then((r) => {
      if (!live) return;
      if (r.ok) setView(r.data);
      else setError(r.message);
    });
    return () => {
      live = false;
    };
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const body = use === 'custom' ? { use, threshold: Number(threshold), reason } : { use, reason };
    const r = await adminApi<OperatingPointsView>('/api/operating-points', { method: 'PUT', body });
    setBusy(false);
    if (r.ok) {
      setView(r.data);
      setError(null);
      setReason('');
    } else setError(r.message);
  };

  return (
    <section className="rounded-lg border border-edge p-4" aria-labelledby="point-in-force" data-testid="point-in-force">
      <h2 id="point-in-force" className="mb-1 text-sm font-semibold uppercase tracking-wide text-muted">
        Study operating point in force
      </h2>
      {error && <p className="mb-2 text-sm text-alert" role="alert">{error}</p>}
      {!view ? (
        <p className="text-sm text-muted">Loading…</p>
      ) : (
        <div className="flex flex-col gap-3">
          <p className="text-sm" data-testid="point-source">
            {SOURCE_WORDS[view.inForce.source]} for {view.inForce.model}
            {view.inForce.setAt && `, since ${formatDateTime(view.inForce.setAt)}`}
            {view.inForce.setBy && ` (set by ${view.inForce.setBy})`}
            {view.inForce.studies !== undefined && `, measured on ${view.inForce.studies} studies`}
          </p>
          <PointFigures points={view.inForce} />
          <p className="text-xs text-muted">
            A change decides studies triaged from then on; studies already triaged keep the point they were decided by (their page says which).
            {!view.site && ' No site calibration is loaded (npm run calibrate writes one; the server reads it at start).'}
          </p>
          {canChange && (
            <form className="flex flex-wrap items-end gap-2 text-sm" onSubmit={(e) => void submit(e)} aria-label="Change the study operating point">
              <label className="flex flex-col gap-1">
                <span className="text-muted">Put in force</span>
                <select className="rounded border border-edge bg-surface px-2 py-1" value={use} onChange={(e) => setUse(e.target.value as typeof use)}>
                  <option value="manifest">the model&apos;s validated point (any ≥ {view.manifest.points.any.threshold.toFixed(3)})</option>
                  {view.site && <option value="site">this site&apos;s calibration (any ≥ {view.site.points.any.threshold.toFixed(3)})</option>}
                  <option value="custom">an own threshold for any</option>
                </select>
              </label>
              {use === 'custom' && (
                <label className="flex flex-col gap-1">
                  <span className="text-muted">Threshold (0–1)</span>
                  <input className="w-24 rounded border border-edge bg-surface px-2 py-1 font-mono" inputMode="decimal" required value={threshold} onChange={(e) => setThreshold(e.target.value)} />
                </label>
              )}
              <label className="flex min-w-64 flex-1 flex-col gap-1">
                <span className="text-muted">Reason (kept with the change)</span>
                <input className="rounded border border-edge bg-surface px-2 py-1" required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
              </label>
              <button type="submit" disabled={busy} className="rounded bg-sky-700 px-3 py-1 font-semibold text-white disabled:opacity-50">
                Change
              </button>
            </form>
          )}
          {view.history.length > 0 && (
            <details className="text-sm">
              <summary className="cursor-pointer text-muted">Recent changes</summary>
              <ul className="mt-1 flex flex-col gap-0.5">
                {view.history.map((h) => (
                  <li key={`${h.setAt}-${h.anyThreshold}`}>
                    {formatDateTime(h.setAt)} · {h.setBy ?? 'unknown'} · {h.source} · any ≥ {h.anyThreshold.toFixed(3)} — {h.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
