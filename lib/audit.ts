/**
 * The audit journal as the API returns it (server/audit): who did what, when, from where.
 * Isomorphic: the audit page and the study timeline render these.
 */
export const AUDIT_ACTIONS = [
  'auth.signed_in',
  'auth.sign_in_failed',
  'auth.signed_out',
  'study.viewed',
  'study.acknowledged',
  'study.assigned',
  'study.feedback',
  'study.escalated',
  'study.reported',
  'study.dismissed',
  'study.files_purged',
  'study.reopened',
  'study.action_undone',
  'user.created',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'user.unlocked',
  'user.password_changed',
  'user.password_reset',
  'token.created',
  'token.revoked',
  'upload.received',
  'quarantine.viewed',
  'quarantine.downloaded',
  'quarantine.deleted',
  'quarantine.reingested',
  'operating_point.changed',
  'dicomweb.searched',
  'dicomweb.retrieved',
  'outbox.delivered',
  'outbox.failed',
  'outbox.retried',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'auth.signed_in': 'Signed in',
  'auth.sign_in_failed': 'Failed sign-in',
  'auth.signed_out': 'Signed out',
  'study.viewed': 'Opened the study',
  'study.acknowledged': 'Acknowledged',
  'study.assigned': 'Assigned to themselves',
  'study.feedback': 'Feedback',
  'study.escalated': 'Escalated',
  'study.reported': 'Marked reported',
  'study.dismissed': 'Dismissed',
  'study.files_purged': 'Stored images deleted (retention)',
  'study.reopened': 'Reopened',
  'study.action_undone': 'Undid an action',
  'user.created': 'Created an account',
  'user.role_changed': 'Changed a role',
  'user.disabled': 'Disabled an account',
  'user.enabled': 'Enabled an account',
  'user.unlocked': 'Unlocked an account',
  'user.password_changed': 'Changed their password',
  'user.password_reset': "Reset an account's password",
  'token.created': 'Created a service token',
  'token.revoked': 'Revoked a service token',
  'upload.received': 'Uploaded files',
  'quarantine.viewed': 'Viewed the quarantine',
  'quarantine.downloaded': 'Downloaded a quarantined file',
  'quarantine.deleted': 'Deleted a quarantined file',
  'quarantine.reingested': 'Re-ingested a quarantined file',
  'operating_point.changed': 'Changed the study operating point',
  'dicomweb.searched': 'Searched over DICOMweb',
  'dicomweb.retrieved': 'Retrieved images over DICOMweb',
  'outbox.delivered': 'Alert or result delivered',
  'outbox.failed': 'Alert or result could not be delivered',
  'outbox.retried': 'Retried an alert or result',
};

/** One journal entry. `note` is the free text (feedback comment, dismiss reason) kept beside the journal. */
export interface AuditEntry {
  seq: number;
  at: string;
  actorUserId: string | null;
  actorUsername: string | null;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  note: string | null;
}

/** A page of the global journal, newest first; `nextCursor` fetches the next (older) page. */
export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: number | null;
}

/**
 * What the journal shows as an entry's target: a user by their username (account events carry it in
 * their details; an internal id means nothing to the reader), anything else by its id.
 */
export function auditTargetLabel(e: Pick<AuditEntry, 'targetType' | 'targetId' | 'details'>): string {
  const username = e.details?.username;
  if (e.targetType === 'user' && typeof username === 'string' && username.length > 0) return username;
  return e.targetId ?? '—';
}

/** The label of an action, or the action itself when it is not one we know. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}
