import type { DbClient } from '@/server/db';

/** One quarantined input as admins see it: why, from where, how big, when; never patient data. */
export interface QuarantineItem {
  id: string;
  receivedAt: string;
  /** c_store | stow | upload | folder */
  source: string;
  /** Channel and sender: calling AE title, user name, "folder". */
  origin: string | null;
  /** Who handed it over, in words: the channel and the AE title, user or service token. */
  sender: { channel: string; name: string } | null;
  /** The uploaded file's name, only when it cannot carry a patient name (safe-file-name.ts); else null. */
  fileName: string | null;
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

/** "dimse:CT_SCANNER_1" → { channel: 'dimse', name: 'CT_SCANNER_1' } (the origin record-quarantine.ts writes). */
export function parseOrigin(origin: string | null): { channel: string; name: string } | null {
  const at = origin?.indexOf(':') ?? -1;
  if (!origin || at < 1) return null;
  return { channel: origin.slice(0, at), name: origin.slice(at + 1) };
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
      select: { id: true, receivedAt: true, source: true, origin: true, sizeBytes: true, errorCode: true, message: true, fileName: true },
    }),
    prisma.quarantinedInput.count(),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString(), sender: parseOrigin(r.origin) })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    total,
  };
}
