import type { AuditEntry } from '@/lib/audit';

const COLUMNS = ['seq', 'at', 'actorUsername', 'actorUserId', 'ip', 'action', 'targetType', 'targetId', 'details', 'note'] as const;

/**
 * One CSV cell, quoted. A cell a spreadsheet would read as a formula (=, +, -, @, tab, CR) gets a
 * leading apostrophe, so an exported journal cannot run anything when opened (CSV injection).
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** The header line of the export. */
export function auditCsvHeader(): string {
  return `${COLUMNS.join(',')}\r\n`;
}

/** CSV lines (RFC 4180, CRLF) for journal entries. */
export function auditCsvRows(entries: AuditEntry[]): string {
  return entries
    .map((e) => [e.seq, e.at, e.actorUsername, e.actorUserId, e.ip, e.action, e.targetType, e.targetId, JSON.stringify(e.details), e.note].map(csvCell).join(',') + '\r\n')
    .join('');
}

/** A download name with nothing from the request in it: audit-20261123-141500.csv. */
export function auditCsvFilename(now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `audit-${stamp.slice(0, 8)}-${stamp.slice(8)}.csv`;
}
