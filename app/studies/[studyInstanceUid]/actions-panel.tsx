'use client';

import { useEffect, useId, useState, type FormEvent } from 'react';
import type { WorklistItem } from '@/lib/worklist';
import { allowedActions, MAX_ACTION_TEXT, STUDY_ACTION_LABELS, type StudyAction, type StudyActionResult } from '@/lib/study-actions';

interface Props {
  studyInstanceUid: string;
  status: WorklistItem['status'];
  /** Not analysable: there is no result to agree or disagree with. */
  outcome?: WorklistItem['outcome'];
  /** Called after an action succeeded (e.g. to refresh the study and its timeline). */
  onDone?: (result: StudyActionResult) => void;
}

/** Actions that need text first open a small form instead of acting at once. */
const NEEDS_TEXT: Partial<Record<StudyAction, { field: 'comment' | 'reason'; label: string; placeholder: string }>> = {
  disagree: { field: 'comment', label: 'Why do you disagree with the result?', placeholder: 'e.g. calcification, not hemorrhage' },
  dismiss: { field: 'reason', label: 'Why dismiss this study?', placeholder: 'e.g. duplicate of an earlier study' },
  reopen: { field: 'reason', label: 'Why reopen this study?', placeholder: 'e.g. addendum requested' },
};

const SUBMIT_LABEL: Partial<Record<StudyAction, string>> = { disagree: 'Record disagreement', dismiss: 'Dismiss study', reopen: 'Reopen study' };

const BUTTON = 'rounded border px-3 py-1.5 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 disabled:opacity-50';
const TONE: Record<StudyAction, string> = {
  acknowledge: 'border-sky-500 bg-sky-900/40 hover:bg-sky-900/70',
  assign_to_me: 'border-edge hover:bg-panel',
  agree: 'border-edge hover:bg-panel',
  disagree: 'border-edge hover:bg-panel',
  escalate: 'border-alert text-alert hover:bg-alert/10',
  mark_reported: 'border-live/70 hover:bg-live/10',
  dismiss: 'border-edge text-muted hover:bg-panel hover:text-ink',
  reopen: 'border-sky-500 hover:bg-sky-900/40',
  undo: 'border-edge hover:bg-panel',
};

/** Seconds left until `until`, ticking each second; 0 once past (or when there is nothing). */
function useSecondsLeft(until: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0); // the clock may be stale from before the action
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [until]);
  return until ? Math.max(0, Math.ceil((Date.parse(until) - now) / 1000)) : 0;
}

/** The clinician's actions on a study: only those its status allows; each is recorded in the audit history. */
export function ActionsPanel({ studyInstanceUid, status, outcome = null, onDone }: Props) {
  const [busy, setBusy] = useState<StudyAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState<StudyAction | null>(null);
  const [text, setText] = useState('');
  /** The caller's last action, while it may still be undone (the server has the last word). */
  const [undoable, setUndoable] = useState<{ label: string; until: string } | null>(null);
  const textId = useId();
  const actions = allowedActions(status, outcome);
  const undoSecondsLeft = useSecondsLeft(undoable?.until ?? null);

  async function run(action: StudyAction, body: Record<string, string> = {}) {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      const res = await fetch(`/api/studies/${encodeURIComponent(studyInstanceUid)}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action, ...body }),
      });
      const json = (await res.json().catch(() => null)) as (StudyActionResult & { error?: { message: string } }) | null;
      if (!res.ok || !json || json.error) {
        setError(json?.error?.message ?? `the action failed (HTTP ${res.status})`);
        return;
      }
      setPending(null);
      setText('');
      setDone(action === 'undo' ? `Undone: ${undoable?.label ?? 'last action'}` : `${STUDY_ACTION_LABELS[action].replace('…', '')}: recorded`);
      setUndoable(json.undoableUntil ? { label: STUDY_ACTION_LABELS[action].replace('…', ''), until: json.undoableUntil } : null);
      onDone?.(json);
    } catch {
      setError('the server could not be reached; nothing was recorded');
    } finally {
      setBusy(null);
    }
  }

  function submitText(e: FormEvent) {
    e.preventDefault();
    const spec = pending && NEEDS_TEXT[pending];
    if (!pending || !spec) return;
    if (!text.trim()) {
      setError(`${spec.field === 'comment' ? 'A comment' : 'A reason'} is required`);
      return;
    }
    void run(pending, { [spec.field]: text });
  }

  const spec = pending ? NEEDS_TEXT[pending] : undefined;
  return (
    <section aria-labelledby={`${textId}-title`} className="rounded-lg border border-edge bg-panel p-4" data-testid="actions-panel">
      <h2 id={`${textId}-title`} className="mb-3 text-base font-medium">
        Actions
      </h2>
      {actions.length === 0 ? (
        <p className="text-sm text-muted">No action is possible while the study is {status.replace('_', ' ')}.</p>
      ) : (
        <div className="flex flex-wrap gap-2" role="group" aria-label="Actions on this study">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              data-testid={`action-${action}`}
              aria-pressed={pending === action ? true : undefined}
              disabled={busy !== null}
              onClick={() => {
                setError(null);
                if (NEEDS_TEXT[action]) setPending(pending === action ? null : action);
                else void run(action);
              }}
              className={`${BUTTON} ${TONE[action]}`}
            >
              {busy === action ? 'Saving…' : STUDY_ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      {pending && spec && (
        <form onSubmit={submitText} className="mt-3 flex flex-col gap-2" data-testid="action-text-form">
          <label htmlFor={textId} className="text-sm">
            {spec.label} <span className="text-muted">(required, no patient identifiers)</span>
          </label>
          <textarea
            id={textId}
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={MAX_ACTION_TEXT}
            rows={3}
            autoFocus
            required
            placeholder={spec.placeholder}
            className="rounded border border-edge bg-surface p-2 text-sm text-ink placeholder:text-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
          />
          <div className="flex items-center gap-2">
            <button type="submit" disabled={busy !== null} className={`${BUTTON} ${TONE[pending]}`} data-testid="action-text-submit">
              {busy ? 'Saving…' : (SUBMIT_LABEL[pending] ?? 'Save')}
            </button>
            <button
              type="button"
              onClick={() => {
                setPending(null);
                setText('');
              }}
              className={`${BUTTON} border-edge text-muted hover:text-ink`}
            >
              Cancel
            </button>
            <span className="ml-auto text-xs text-muted" aria-live="polite">
              {text.length}/{MAX_ACTION_TEXT}
            </span>
          </div>
        </form>
      )}
      <p role="status" aria-live="polite" className="mt-2 flex min-h-5 flex-wrap items-center gap-2 text-sm" data-testid="action-feedback">
        {error ? <span className="text-alert">{error}</span> : done ? <span className="text-live">{done}</span> : null}
        {undoable && undoSecondsLeft > 0 && (
          <button type="button" data-testid="action-undo" disabled={busy !== null} onClick={() => void run('undo')} className={`${BUTTON} ${TONE.undo} py-0.5`}>
            {busy === 'undo' ? 'Undoing…' : `Undo (${undoSecondsLeft} s)`}
          </button>
        )}
      </p>
    </section>
  );
}
