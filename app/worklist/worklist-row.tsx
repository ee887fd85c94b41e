import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { KeyboardEvent, MouseEvent } from 'react';
import { flagReason } from '@/lib/study-decision';
import type { WorklistItem } from '@/lib/worklist';
import { formatFullDateTime } from '@/lib/format-date-time';
import { describeStatus, formatElapsed, formatSexAge, formatSlices } from './format';
import { uidSuffix } from './worklist-filter';
import { ProbabilityBar } from './probability-bar';
import { SubtypeChips } from './subtype-chips';

interface Props {
  study: WorklistItem;
  now: number;
  highlighted: boolean;
  /** Gone from the live list while the order is held: shown dimmed until the hold ends. */
  left: boolean;
  onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => void;
}

/** One study. Focusable; arrow keys move between rows (handled by the table); Enter or a click opens the study. */
export function WorklistRow({ study, now, highlighted, left, onKeyDown }: Props) {
  const router = useRouter();
  const href = `/studies/${study.studyInstanceUid}`;
  const notAnalysable = study.outcome === 'not_analysable';
  const open = (e: MouseEvent<HTMLTableRowElement>) => {
    // The rank is a real link (new tab, copy address); the rest of the row opens it in place.
    if (!(e.target instanceof Element && e.target.closest('a'))) router.push(href);
  };
  return (
    <tr
      tabIndex={0}
      onClick={open}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) {
          e.preventDefault();
          router.push(href);
        } else onKeyDown(e);
      }}
      data-testid="worklist-row"
      data-study-uid={study.studyInstanceUid}
      data-status={study.status}
      data-outcome={study.outcome ?? ''}
      data-left={left || undefined}
      aria-label={[
        study.rank > 0 ? `Rank ${study.rank}` : 'Finished',
        study.flagged ? 'flagged' : '',
        study.escalated ? 'escalated' : '',
        describeStatus(study),
        `patient ${study.patient}`,
        study.assignee ? `assigned to ${study.assignee}` : 'unassigned',
        left ? 'no longer on the list' : '',
      ]
        .filter(Boolean)
        .join(', ')}
      className={`cursor-pointer border-t border-edge outline-none transition-colors hover:bg-sky-900/20 duration-1000 focus-visible:bg-sky-900/40 focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-sky-400 ${
        highlighted ? 'bg-alert/20' : study.flagged ? 'bg-alert/5' : ''
      } ${left ? 'opacity-40' : ''}`}
    >
      <td className="px-3 py-2 text-center font-mono text-lg tabular-nums" data-testid="rank">
        <Link href={href} tabIndex={-1} className="text-ink underline-offset-4 hover:underline" data-testid="open-study">
          {study.rank > 0 ? study.rank : '—'}
        </Link>
      </td>
      <td className="px-3 py-2">
        <ProbabilityBar value={study.probabilities.any} flagged={study.flagged} />
      </td>
      <td className="min-w-[15rem] px-3 py-2">
        <SubtypeChips study={study} />
      </td>
      <td className="px-3 py-2" data-testid="flag">
        <div className="flex flex-col items-start gap-1">
          {study.flagged ? (
            // Why, in words, on hover: the point, its target sensitivity and what it costs in normal studies.
            <span
              className="cursor-help rounded bg-alert px-2 py-0.5 text-xs font-bold tracking-wide text-surface"
              data-testid="flag-reason"
              title={study.decision ? `Flagged: ${flagReason(study.probabilities.any, study.decision)}` : undefined}
            >
              FLAGGED
            </span>
          ) : (
            <span className="sr-only">not flagged</span>
          )}
          {study.escalated && (
            <span className="rounded border border-amber-300 px-2 py-0.5 text-xs font-semibold tracking-wide text-amber-300" data-testid="escalated">
              ESCALATED
            </span>
          )}
        </div>
      </td>
      <td className={`px-3 py-2 ${notAnalysable ? 'min-w-48 text-amber-300' : 'whitespace-nowrap'}`} data-testid="status">
        {describeStatus(study)}
      </td>
      <td className="px-3 py-2 whitespace-nowrap">
        <div className="font-mono tabular-nums" data-testid="slices">
          {formatSlices(study.slices)}
          {study.slices.failed > 0 && <span className="text-amber-300"> ({study.slices.failed} failed)</span>}
        </div>
        {study.possiblyIncomplete && (
          <div className="text-xs font-semibold text-amber-300" data-testid="possibly-incomplete" title="Triaged after the quiet period from slices that do not cover the head: the sender may have stopped mid-study">
            possibly incomplete
          </div>
        )}
        {study.model && <div className="text-xs text-muted" title="The model that scored it">{study.model}</div>}
      </td>
      <td className="px-3 py-2 whitespace-nowrap">
        <div>{study.patient}</div>
        <div className="text-xs text-muted">
          {formatSexAge(study.patientSex, study.patientAge)} · <span title="End of the study UID">…{uidSuffix(study.studyInstanceUid)}</span>
        </div>
      </td>
      <td className="px-3 py-2 whitespace-nowrap" data-testid="assignee" data-assigned={study.assignee ? true : undefined}>
        {study.assignee ?? <span className="text-muted">—<span className="sr-only">unassigned</span></span>}
      </td>
      <td className="px-3 py-2 whitespace-nowrap tabular-nums">
        <time dateTime={study.receivedAt} title={`Arrived ${formatFullDateTime(study.receivedAt)}`}>
          {formatElapsed(now - Date.parse(study.receivedAt))}
        </time>
      </td>
    </tr>
  );
}
