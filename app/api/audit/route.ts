import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';
import { auditCsvFilename } from '@/server/audit/audit-csv';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const instant = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'a date (YYYY-MM-DD) or an ISO date-time');

const Query = z
  .object({
    user: z.string().trim().min(1).max(128).optional(),
    action: z.string().regex(/^[a-z_.]{1,64}$/).optional(),
    study: dicomUidSchema.optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

/** `to` as an exclusive bound: a bare date means "through the end of that day" (UTC). */
function toBound(to: string): Date {
  const d = new Date(to);
  return DATE_ONLY.test(to) ? new Date(d.getTime() + 86_400_000) : d;
}

/**
 * The global audit journal, newest first. Filters: user (username or id), action, study
 * (StudyInstanceUID), from/to (date or date-time); `cursor` from the previous page's nextCursor.
 * `format=csv` downloads every matching entry (formula-safe cells, a fixed file name).
 */
export const GET = route({ permission: 'readAudit', query: Query }, async ({ query: q, services }) => {
  const filter = { user: q.user, action: q.action, study: q.study, from: q.from ? new Date(q.from) : undefined, to: q.to ? toBound(q.to) : undefined };
  if (q.format === 'json') return services.audit.list(filter, { cursor: q.cursor, limit: q.limit });
  const csv = await services.audit.exportCsv(filter);
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${auditCsvFilename(new Date())}"`,
      'x-content-type-options': 'nosniff',
    },
  });
});
