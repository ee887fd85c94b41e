'use client';

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { OPERATIONS_WINDOWS, type Histogram, type OperationsMetrics, type OperationsWindow } from '@/lib/operations';
import { formatDateTime } from '@/lib/format-date-time';
import { useRealtime } from '../use-realtime';

const REFRESH_MS = 15_000;
const AXIS = { stroke: '#9fb0c3', fontSize: 12 };
const TOOLTIP = { contentStyle: { background: '#111923', border: '1px solid #243244', color: '#e6edf5' } };

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const secs = (ms: number | null) => (ms === null ? '—' : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`);

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-lg border border-edge bg-panel p-4">
      <dt className="text-sm text-muted">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {hint && <p className="mt-1 text-xs text-muted">{hint}</p>}
    </div>
  );
}

function Chart({ title, children, summary }: { title: string; children: React.ReactElement; summary: string }) {
  return (
    <figure className="rounded-lg border border-edge bg-panel p-4">
      <figcaption className="mb-2 text-sm font-medium">{title}</figcaption>
      {/* The chart is drawn for the eye; the sentence says the same for a screen reader. */}
      <p className="sr-only">{summary}</p>
      <div className="h-56" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** "the last 1h", or "the last 6 min (data since 23:50)" when the server holds less than the window. */
function coverage(m: OperationsMetrics, window: OperationsWindow): string {
  const coveredMs = Date.parse(m.to) - Date.parse(m.coveredFrom);
  if (Date.parse(m.coveredFrom) <= Date.parse(m.from)) return `the last ${window}`;
  const min = Math.max(1, Math.round(coveredMs / 60_000));
  return `the last ${min < 120 ? `${min} min` : `${Math.round(min / 60)} h`} (data since ${formatDateTime(m.coveredFrom)})`;
}

/** Each rate outside its band, in words, above everything else on the page. */
function Alarms({ alarms }: { alarms: OperationsMetrics['alarms'] }) {
  if (alarms.length === 0) return null;
  return (
    <ul role="alert" className="flex flex-col gap-2" aria-label="Alarms">
      {alarms.map((a) => (
        <li key={a.kind} data-testid="ops-alarm" data-kind={a.kind} className="rounded-lg border border-alert/60 bg-alert/10 px-4 py-3 text-sm text-red-100">
          <strong className="mr-2 font-semibold text-alert">Alarm</strong>
          {a.message[0]?.toUpperCase()}
          {a.message.slice(1)}
        </li>
      ))}
    </ul>
  );
}

function histogramRows(h: Histogram) {
  return h.buckets.map((bucket, i) => ({ bucket, count: h.counts[i] ?? 0 }));
}

function describeHistogram(h: Histogram): string {
  return h.buckets.map((b, i) => `${b}: ${h.counts[i] ?? 0}`).join(', ');
}

/** Live operations figures: refreshed every 15 s and shortly after any study changes. */
export function OperationsDashboard() {
  // The last hour first: what a shift lead asks ("is it working right now?"); 24 h and 7 d are a click away.
  const [window, setWindow] = useState<OperationsWindow>('1h');
  type Loaded = { metrics: OperationsMetrics | null; error: string | null };
  const [{ metrics, error }, settle] = useReducer(
    (state: Loaded, result: { metrics: OperationsMetrics } | { error: string }): Loaded =>
      'metrics' in result ? { metrics: result.metrics, error: null } : { ...state, error: result.error },
    { metrics: null, error: null },
  );
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const res = await fetch(`/api/operations?window=${window}`, { cache: 'no-store' });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      settle({ metrics: (await res.json()) as OperationsMetrics });
    } catch (err) {
      settle({ error: err instanceof Error ? err.message : String(err) });
    }
  }, [window]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  // A burst of study updates (a study arriving slice by slice) becomes one refresh.
  useRealtime({
    onStudyUpdated: () => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = undefined;
        void load();
      }, 2_000);
    },
  });

  const throughput = metrics?.throughput.map((b) => ({
    at: formatDateTime(b.at),
    received: b.received,
    flagged: b.flagged,
  }));

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div role="radiogroup" aria-label="Time window" className="flex gap-1 rounded-lg border border-edge p-1">
          {(Object.keys(OPERATIONS_WINDOWS) as OperationsWindow[]).map((w) => (
            <button
              key={w}
              type="button"
              role="radio"
              aria-checked={w === window}
              onClick={() => setWindow(w)}
              className={`rounded px-3 py-1 text-sm ${w === window ? 'bg-edge text-ink' : 'text-muted hover:text-ink'}`}
            >
              Last {w}
            </button>
          ))}
        </div>
        <p className="text-sm text-muted" role="status" aria-live="polite">
          {error ? <span className="text-alert">Could not refresh: {error}</span> : metrics ? `Updated ${formatDateTime(metrics.to, { seconds: true })}` : 'Loading…'}
        </p>
      </div>

      {metrics && (
        <>
          <Alarms alarms={metrics.alarms} />
          <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
            <Stat label="Studies per hour" value={String(metrics.totals.studiesPerHour)} hint={`average over ${coverage(metrics, window)}: ${metrics.totals.received} received, ${metrics.totals.triaged} triaged`} testId="ops-studies-per-hour" />
            <Stat label="Time to triage (p50 / p95)" value={`${secs(metrics.timeToTriage.p50Ms)} / ${secs(metrics.timeToTriage.p95Ms)}`} hint="last slice received → triaged, on the server" testId="ops-ttt" />
            <Stat label="Flag rate" value={pct(metrics.flagRate)} hint={`${metrics.totals.flagged} flagged; ${metrics.totals.notAnalysable} not analysable`} testId="ops-flag-rate" />
            <Stat
              label="Clinician disagreement"
              value={pct(metrics.feedback.disagreementRate)}
              hint={`${metrics.feedback.disagree} disagree / ${metrics.feedback.agree + metrics.feedback.disagree} feedback`}
              testId="ops-disagreement"
            />
            <Stat
              label="Queue now"
              value={String(metrics.queue.receiving + metrics.queue.analysing + metrics.queue.triaged + metrics.queue.inReview)}
              hint={`${metrics.queue.receiving} receiving · ${metrics.queue.analysing} analysing · ${metrics.queue.triaged} triaged · ${metrics.queue.inReview} in review`}
              testId="ops-queue"
            />
            <Stat label="Analysis jobs" value={`${metrics.queue.jobsPending + metrics.queue.jobsRunning}`} hint={`${metrics.queue.jobsPending} waiting · ${metrics.queue.jobsRunning} running`} />
            <Stat
              label="Quarantined inputs"
              value={String(metrics.errors.quarantined)}
              hint={metrics.errors.quarantinedByCode.map((q) => `${q.code} ${q.count}`).join(' · ') || 'none'}
              testId="ops-quarantined"
            />
            <Stat label="Slices that failed to decode" value={String(metrics.errors.sliceDecodeFailures)} />
          </dl>

          <div className="grid gap-4 lg:grid-cols-2">
            <Chart title="Throughput" summary={`${metrics.totals.received} studies received in the last ${window}, ${metrics.totals.flagged} flagged.`}>
              <BarChart data={throughput}>
                <CartesianGrid stroke="#243244" vertical={false} />
                <XAxis dataKey="at" tick={AXIS} stroke={AXIS.stroke} minTickGap={24} />
                <YAxis allowDecimals={false} tick={AXIS} stroke={AXIS.stroke} width={32} />
                <Tooltip {...TOOLTIP} />
                <Legend />
                <Bar dataKey="received" name="received" fill="#60a5fa" isAnimationActive={false} />
                <Bar dataKey="flagged" name="flagged" fill="#f87171" isAnimationActive={false} />
              </BarChart>
            </Chart>
            <Chart title="Time to triage" summary={`Studies by time from last slice to triage: ${describeHistogram(metrics.timeToTriage.histogram)}.`}>
              <BarChart data={histogramRows(metrics.timeToTriage.histogram)}>
                <CartesianGrid stroke="#243244" vertical={false} />
                <XAxis dataKey="bucket" tick={AXIS} stroke={AXIS.stroke} />
                <YAxis allowDecimals={false} tick={AXIS} stroke={AXIS.stroke} width={32} />
                <Tooltip {...TOOLTIP} />
                <Bar dataKey="count" name="studies" fill="#4ade80" isAnimationActive={false} />
              </BarChart>
            </Chart>
            <Chart title="Study score (probability of any hemorrhage)" summary={`Triaged studies by score: ${describeHistogram(metrics.scoreHistogram)}.`}>
              <BarChart data={histogramRows(metrics.scoreHistogram)}>
                <CartesianGrid stroke="#243244" vertical={false} />
                <XAxis dataKey="bucket" tick={AXIS} stroke={AXIS.stroke} />
                <YAxis allowDecimals={false} tick={AXIS} stroke={AXIS.stroke} width={32} />
                <Tooltip {...TOOLTIP} />
                <Bar dataKey="count" name="studies" fill="#c084fc" isAnimationActive={false} />
              </BarChart>
            </Chart>
          </div>
          <p className="text-xs text-muted">
            A score histogram that shifts, a flag rate that drifts from the site&apos;s usual, or rising disagreement are the signs that the model no longer fits
            what this site scans.
          </p>
        </>
      )}
    </div>
  );
}
