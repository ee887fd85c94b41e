'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { UserMenu } from '../../account/user-menu';
import { ConnectionIndicator } from '../../connection-indicator';
import { KeyboardHelp } from '../../keyboard-help';
import { ActionsPanel } from './actions-panel';
import { AuditTimeline } from './audit-timeline';
import { PriorStudies } from './prior-studies';
import { useRealtime } from '../../use-realtime';
import { describeStatus, formatPercent, formatSexAge } from '../../worklist/format';
import { SliceViewer } from './slice-viewer';
import { plainReason } from '@/lib/plain-reason';
import { initialSliceIndex, viewingStack } from './slice-stack';
import { StudySummary } from './study-summary';
import { VIEWER_KEYS } from './viewer-keys-legend';
import { useSliceStore } from './use-slice-images';
import { useStudyDetail } from './use-study-detail';
import type { PatientIdentity } from '@/lib/study-detail';

// The chart library is most of the page's script: it loads after the viewer, which is what a reader needs first.
const ProbabilityChart = dynamic(() => import('./probability-chart').then((m) => m.ProbabilityChart), {
  ssr: false,
  loading: () => <div className="h-56" aria-hidden />,
});

interface Props {
  studyInstanceUid: string;
  /** `?slice=<SOPInstanceUID>`: open there instead of the most suspicious slice. */
  initialSop: string | null;
  user: { username: string; role: string };
}

/** The study view: the slice viewer with the model's evidence, the per-slice chart and the summary, kept live. */
export function StudyViewClient({ studyInstanceUid, initialSop, user }: Props) {
  const { state, listeners, reload } = useStudyDetail(studyInstanceUid);
  const { connection } = useRealtime(listeners);
  const store = useSliceStore(studyInstanceUid);
  const detail = state.phase === 'ready' ? state.detail : null;
  const stack = useMemo(() => (detail ? viewingStack(detail) : []), [detail]);

  // The slice on screen is pinned by SOP UID once chosen, so live updates (new slices, new scores)
  // never move the reader off it; it is first chosen when the stack is first known.
  const [sop, setSop] = useState<string | null>(null);
  if (sop === null && stack.length > 0) setSop(stack[initialSliceIndex(stack, initialSop)]!.sopInstanceUid);
  const found = stack.findIndex((s) => s.sopInstanceUid === sop);
  const index = found >= 0 ? found : 0;
  const select = (i: number) => {
    const s = stack[i];
    if (s) setSop(s.sopInstanceUid);
  };

  // The address follows the slice, so a reload or a shared link opens the same one.
  useEffect(() => {
    if (!sop) return;
    const url = new URL(globalThis.location.href);
    if (url.searchParams.get('slice') === sop) return;
    url.searchParams.set('slice', sop);
    globalThis.history.replaceState(globalThis.history.state, '', url);
  }, [sop]);

  const study = detail?.study;
  return (
    <div className="mx-auto flex max-w-[1600px] flex-col gap-4 p-4">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-edge pb-3">
        {/* The title block takes the room left and wraps inside itself (a clinician's full patient
            identity is long), so the connection indicator never drops below it. */}
        <div className="flex min-w-0 flex-1 flex-wrap items-center gap-4">
          <Link href="/" className="rounded px-2 py-1 text-sm text-sky-300 hover:bg-edge focus-visible:outline-2 focus-visible:outline-sky-400">
            ← Worklist
          </Link>
          <div className="min-w-0">
            <h1 className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xl font-semibold tracking-tight">
              Head CT{' '}
              {study && (
                <span className="font-normal text-muted" data-testid="patient">
                  {detail?.patientIdentity ? formatIdentity(detail.patientIdentity) : study.patient} · {formatSexAge(study.patientSex, study.patientAge)}
                </span>
              )}
              {study?.flagged && <span className="rounded bg-alert px-2 py-0.5 text-xs font-bold tracking-wide text-surface">FLAGGED</span>}
            </h1>
            {study && (
              <p className="text-sm text-muted" data-testid="study-status">
                {/* The worklist's wording, with problem codes spelled out for a reader. */}
                {plainReason(describeStatus(study))}
                {study.probabilities.any !== null && ` · any hemorrhage ${formatPercent(study.probabilities.any)}`}
              </p>
            )}
          </div>
        </div>
        {/* Wraps within the screen's width on a phone (it sat past a 390 px screen's edge, Sign out cut off). */}
        <div className="flex max-w-full shrink-0 flex-wrap items-center gap-3">
          {detail?.viewerUrl && (
            <a href={detail.viewerUrl} target="_blank" rel="noopener noreferrer" className="rounded px-2 py-1 text-sm text-sky-300 hover:bg-edge focus-visible:outline-2 focus-visible:outline-sky-400" data-testid="open-in-viewer">
              Open in viewer ↗
            </a>
          )}
          <KeyboardHelp groups={VIEWER_KEYS} />
          <ConnectionIndicator state={connection} />
          <UserMenu username={user.username} role={user.role} />
        </div>
      </header>

      {state.phase === 'loading' && <p className="text-muted">Loading study…</p>}
      {state.phase === 'missing' && <p className="text-amber-300">This study is not in the database (it may have been removed).</p>}
      {state.phase === 'error' && <p className="text-alert">The study could not be loaded ({state.message}); retrying when the connection returns.</p>}

      {detail && (
        <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_24rem]">
          <section aria-label="Images" className="flex min-w-0 flex-col gap-4 rounded-lg border border-edge bg-panel p-3">
            {stack.length > 0 ? (
              <SliceViewer store={store} stack={stack} index={index} onIndexChange={select} />
            ) : (
              <p className="text-muted">No slices received yet.</p>
            )}
            <ProbabilityChart stack={stack} index={index} operatingPoints={detail.operatingPoints} studyPoint={detail.study.decision?.threshold ?? null} onSelect={select} />
          </section>
          <aside className="flex flex-col gap-4">
            <ActionsPanel studyInstanceUid={studyInstanceUid} status={detail.study.status} outcome={detail.study.outcome} onDone={reload} />
            <section aria-labelledby="summary-title" className="rounded-lg border border-edge bg-panel p-4">
              <h2 id="summary-title" className="mb-3 text-base font-medium">Summary</h2>
              <StudySummary detail={detail} />
            </section>
            <PriorStudies studyInstanceUid={studyInstanceUid} />
            {/* Every read of the detail (an action, a live update) may have added entries. */}
            <AuditTimeline studyInstanceUid={studyInstanceUid} refreshKey={state.phase === 'ready' ? state.loads : 0} />
          </aside>
        </div>
      )}
    </div>
  );
}

/** "DOE, Jane · ID 12345678 · born 1961-04-02 · acc. A1234" from the DICOM values, skipping what is absent. */
function formatIdentity(p: PatientIdentity): string {
  const name = p.name ? p.name.split('^').filter(Boolean).slice(0, 2).join(', ') : 'name unknown';
  const born = p.birthDate && /^\d{8}$/.test(p.birthDate) ? `born ${p.birthDate.slice(0, 4)}-${p.birthDate.slice(4, 6)}-${p.birthDate.slice(6)}` : null;
  return [name, p.id ? `ID ${p.id}` : null, born, p.accessionNumber ? `acc. ${p.accessionNumber}` : null].filter(Boolean).join(' · ');
}
