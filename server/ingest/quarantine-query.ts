import type { QuarantinePage, QuarantineQuery } from '@/lib/quarantine';
import type { DbClient } from '@/server/db';

export type { QuarantineItem, QuarantinePage, QuarantineQuery } from '@/lib/quarantine';

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
