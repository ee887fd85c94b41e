import type { DbClient } from '@/server/db';

/**
 * Records that a sender closed the association that carried these series: Series.completedAt, the
 * early completion signal (server/triage/series-completion-decision.ts). Only series with no
 * instance recorded after `at` are marked (another association may still be sending one), and
 * the series' next instance clears the mark (record-instance.ts). Returns how many were marked.
 */
export async function markSeriesSent(prisma: DbClient, seriesInstanceUids: readonly string[], at: Date): Promise<number> {
  if (seriesInstanceUids.length === 0) return 0;
  const { count } = await prisma.series.updateMany({
    where: { SeriesInstanceUID: { in: [...seriesInstanceUids] }, lastInstanceAt: { lte: at } },
    data: { completedAt: at },
  });
  return count;
}
