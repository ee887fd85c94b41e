import type { AuditEntry, AuditPage } from '@/lib/audit';
import type { DbClient, Prisma } from '@/server/db';

/** Filters of the global audit page; every one optional. */
export interface AuditFilter {
  /** Username or user id of the actor. */
  user?: string | undefined;
  action?: string | undefined;
  /** StudyInstanceUID. */
  study?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

type Row = Awaited<ReturnType<DbClient['auditEvent']['findMany']>>[number];

function where(filter: AuditFilter, before?: number): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filter.user) and.push({ OR: [{ actorUsername: filter.user.trim().toLowerCase() }, { actorUserId: filter.user.trim() }] });
  if (filter.action) and.push({ action: filter.action });
  if (filter.study) and.push({ targetType: 'study', targetId: filter.study });
  if (filter.from) and.push({ at: { gte: filter.from } });
  if (filter.to) and.push({ at: { lt: filter.to } });
  if (before !== undefined) and.push({ seq: { lt: before } });
  return { AND: and };
}

/**
 * Free text kept beside the journal (feedback comments, dismiss reasons), found through the ids the
 * entries' details name. Two queries per page, whatever its size.
 */
async function notesFor(prisma: DbClient, rows: Row[], details: Record<string, unknown>[]): Promise<(string | null)[]> {
  const ids = (key: string) => details.map((d) => d[key]).filter((v): v is string => typeof v === 'string');
  const feedbackIds = ids('feedbackId');
  const statusChangeIds = ids('statusChangeId');
  const feedback = feedbackIds.length
    ? new Map((await prisma.studyFeedback.findMany({ where: { id: { in: feedbackIds } }, select: { id: true, comment: true } })).map((f) => [f.id, f.comment]))
    : new Map<string, string | null>();
  const changes = statusChangeIds.length
    ? new Map((await prisma.statusChange.findMany({ where: { id: { in: statusChangeIds } }, select: { id: true, reason: true } })).map((c) => [c.id, c.reason]))
    : new Map<string, string | null>();
  return rows.map((_, i) => {
    const d = details[i]!;
    if (typeof d.feedbackId === 'string') return feedback.get(d.feedbackId) ?? null;
    if (typeof d.statusChangeId === 'string') return changes.get(d.statusChangeId) ?? null;
    return null;
  });
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { unreadable: text.slice(0, 200) };
  }
}

async function toEntries(prisma: DbClient, rows: Row[]): Promise<AuditEntry[]> {
  const details = rows.map((r) => parseDetails(r.details));
  const notes = await notesFor(prisma, rows, details);
  return rows.map((r, i) => ({
    seq: r.seq,
    at: r.at.toISOString(),
    actorUserId: r.actorUserId,
    actorUsername: r.actorUsername,
    ip: r.ip,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    details: details[i]!,
    note: notes[i]!,
  }));
}

/** One page of the journal, newest first; pass the answer's nextCursor as `cursor` for the next page. */
export async function listAudit(prisma: DbClient, filter: AuditFilter, page: { cursor?: number | undefined; limit: number }): Promise<AuditPage> {
  const rows = await prisma.auditEvent.findMany({ where: where(filter, page.cursor), orderBy: { seq: 'desc' }, take: page.limit + 1 });
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  return { entries: await toEntries(prisma, shown), nextCursor: more ? shown[shown.length - 1]!.seq : null };
}

/** Every entry about one study, oldest first (its timeline). */
export async function studyTimeline(prisma: DbClient, studyInstanceUid: string, limit = 500): Promise<AuditEntry[]> {
  const rows = await prisma.auditEvent.findMany({ where: { targetType: 'study', targetId: studyInstanceUid }, orderBy: { seq: 'asc' }, take: limit });
  return toEntries(prisma, rows);
}
