import type { DbClient } from '@/server/db';
import { sha256Text } from './audit-hash';

/** An entry whose free text (kept beside the journal) is not what the entry vouches for. */
export interface AuditTextBreak {
  kind: 'text';
  seq: number;
  message: string;
}

type Row = { seq: number; details: string };

/**
 * Checks the free text that entries vouch for by hash: a feedback comment (`feedbackId` +
 * `commentSha256`) and a status change's reason (`statusChangeId` + `reasonSha256`; no hash means
 * the change had no reason). A changed, added or removed text, or a deleted row, breaks it. One
 * query per table for the whole page. Returns the breaks by seq.
 */
export async function checkAuditTexts(prisma: DbClient, rows: readonly Row[]): Promise<Map<number, AuditTextBreak>> {
  const parsed = rows.map((r) => ({ seq: r.seq, d: parseDetails(r.details) }));
  const ids = (key: string) => [...new Set(parsed.map((p) => p.d[key]).filter((v): v is string => typeof v === 'string'))];
  const feedbackIds = ids('feedbackId');
  const changeIds = ids('statusChangeId');
  const feedback = feedbackIds.length
    ? new Map((await prisma.studyFeedback.findMany({ where: { id: { in: feedbackIds } }, select: { id: true, comment: true } })).map((f) => [f.id, f.comment]))
    : new Map<string, string | null>();
  const changes = changeIds.length
    ? new Map((await prisma.statusChange.findMany({ where: { id: { in: changeIds } }, select: { id: true, reason: true } })).map((c) => [c.id, c.reason]))
    : new Map<string, string | null>();

  const breaks = new Map<number, AuditTextBreak>();
  for (const { seq, d } of parsed) {
    const problem =
      (typeof d.feedbackId === 'string' ? textProblem(feedback, d.feedbackId, d.commentSha256, 'feedback comment', 'feedback') : null) ??
      (typeof d.statusChangeId === 'string' ? textProblem(changes, d.statusChangeId, d.reasonSha256, 'reason', 'status change') : null);
    if (problem) breaks.set(seq, { kind: 'text', seq, message: `entry ${seq}: ${problem}` });
  }
  return breaks;
}

function textProblem(rows: Map<string, string | null>, id: string, expected: unknown, what: string, row: string): string | null {
  if (!rows.has(id)) return `its ${row} row is gone`;
  const text = rows.get(id) ?? null;
  const want = typeof expected === 'string' ? expected : null;
  if (text === null) return want === null ? null : `its ${what} was removed`;
  if (want === null) return `a ${what} was added that the entry does not vouch for`;
  return sha256Text(text) === want ? null : `its ${what} was changed`;
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {}; // the chain check reports a details text that is not what was hashed
  }
}
