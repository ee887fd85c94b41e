/** The audit page's filters, as the form holds them (empty string: not set). */
export interface AuditFilters {
  user: string;
  action: string;
  study: string;
  /** YYYY-MM-DD (a date input's value). */
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = { user: '', action: '', study: '', from: '', to: '' };

/**
 * The query string for /api/audit. Dates are the viewer's local days, sent as instants: `from`
 * at local midnight, `to` as the next local midnight (the API's bound is exclusive).
 */
export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (filters.user.trim()) q.set('user', filters.user.trim());
  if (filters.action) q.set('action', filters.action);
  if (filters.study.trim()) q.set('study', filters.study.trim());
  if (filters.from) q.set('from', new Date(`${filters.from}T00:00:00`).toISOString());
  if (filters.to) {
    const end = new Date(`${filters.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    q.set('to', end.toISOString());
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}
