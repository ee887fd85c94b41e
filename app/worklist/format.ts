import { plainReason } from '@/lib/plain-reason';
import type { WorklistItem } from '@/lib/worklist';

/** 0.8234 → "82%"; below 1% shows "<1%" so a tiny probability never reads as zero. */
export function formatPercent(p: number): string {
  if (p > 0 && p < 0.01) return '<1%';
  return `${Math.round(p * 100)}%`;
}

/** Time since arrival, coarse on purpose: "just now", "3 min", "2 h 05 min", "3 d". */
export function formatElapsed(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d`;
}

/** Slices analysed / received, or "receiving…" before any slice has been analysed. */
export function formatSlices(s: WorklistItem['slices']): string {
  if (s.analysed === 0 && s.failed === 0) return s.received > 0 ? `receiving… (${s.received})` : 'receiving…';
  return `${s.analysed}/${s.received}`;
}

/** A status in words. */
export const STATUS_TEXT: Record<WorklistItem['status'], string> = {
  receiving: 'Receiving',
  analysing: 'Analysing',
  triaged: 'Triaged',
  in_review: 'In review',
  reported: 'Reported',
  dismissed: 'Dismissed',
};

/** One line a clinician reads: the outcome when there is one, otherwise the pipeline status. */
export function describeStatus(study: WorklistItem): string {
  if (study.outcome === 'not_analysable') return `Not analysable: ${plainReason(study.notAnalysableReason ?? 'unknown reason')}`;
  if (study.outcome === 'flagged') return `${STATUS_TEXT[study.status]} — flagged`;
  if (study.outcome === 'not_flagged') return `${STATUS_TEXT[study.status]} — not flagged`;
  return STATUS_TEXT[study.status];
}

/** "F 67Y" from DICOM PatientSex / PatientAge ("067Y" → "67Y"); "—" when neither is known. */
export function formatSexAge(sex: string | null, age: string | null): string {
  const a = age?.replace(/^0+(?=\d)/, '') ?? '';
  return [sex ?? '', a].filter(Boolean).join(' ') || '—';
}
