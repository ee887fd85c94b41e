import type { WorklistItem } from '@/lib/worklist';

/** A worklist row for the dashboard's unit tests; `n` makes it distinct. */
export function row(n: number, patch: Partial<WorklistItem> = {}): WorklistItem {
  return {
    studyInstanceUid: `1.2.826.0.1.3680043.8.498.${n}`,
    status: 'triaged',
    outcome: 'not_flagged',
    rank: n,
    priorityTier: 2,
    flagged: false,
    probabilities: { any: 0.1, epidural: 0, intraparenchymal: 0, intraventricular: 0, subarachnoid: 0, subdural: 0 },
    flags: { epidural: false, intraparenchymal: false, intraventricular: false, subarachnoid: false, subdural: false },
    notAnalysableReason: null,
    possiblyIncomplete: false,
    slices: { received: 32, analysed: 32, failed: 0 },
    patient: `P.${n}. …${1000 + n}`,
    patientSex: 'F',
    patientAge: '067Y',
    receivedAt: '2026-11-23T10:00:00.000Z',
    completedAt: null,
    triagedAt: null,
    model: 'ich-2d@1.0.0',
    assignee: null,
    escalated: false,
    decision: null,
    ...patch,
  };
}
