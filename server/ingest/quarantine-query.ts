import type { DbClient } from '@/server/db';

/** One quarantined input as admins see it: why, from where, how big, when; never patient data. */
export interface QuarantineItem {
  id: string;
  receivedAt: string;
  /** c_store | stow | upload | folder */
  source: string;
  /** Channel and sender: calling AE title, user name, "folder". */
  origin: string | null;
  sizeBytes: number | null;
  errorCode: string;
  message: string;
}

export interface QuarantinePage {
  items: QuarantineItem[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** All quarantined inputs. */
  total: number;
}

export interface QuarantineQuery {
  /** 1..200 */
  limit: number;
  /** The id of the last item of the previous page. */
  cursor?: string;
}

/**
 * Quarantined inputs, newest first, a page at a time. Keyset paging on (receivedAt, id), so a
 * page stays right while new inputs arrive; an unknown cursor gives the first page.
 */
export async function listQuarantine(prisma: DbClient, query: QuarantineQuery): Promise<QuarantinePage> {
  const after = query.cursor ? await prisma.quarantinedInput.findUnique({ where: { id: query.cursor }, select: { id: true, receivedAt: true } }) : null;
  const [rows, total] = await Promise.all([
    prisma.quarantinedInput.findMany({
      where: after ? { OR: [{ receivedAt: { lt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { lt: after.id } }] } : {},
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
      select: { id: true, receivedAt: true, source: true, origin: true, sizeBytes: true, errorCode: true, message: true },
    }),
    prisma.quarantinedInput.count(),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    total,
  };
}
