import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';

/** Keywords and tags QIDO clients use for the keys we match on (PS3.18 8.3.4). */
const KEY_ALIASES: Record<string, string> = {
  '0020000D': 'StudyInstanceUID',
  '0020000E': 'SeriesInstanceUID',
  '00080018': 'SOPInstanceUID',
  '00100020': 'PatientID',
  '00080020': 'StudyDate',
  '00080050': 'AccessionNumber',
  '00080061': 'ModalitiesInStudy',
  '00080060': 'Modality',
  '00100010': 'PatientName',
  '00081030': 'StudyDescription',
};
const MAX_LIMIT = 1000;
const DATE = /^\d{8}$/;

const uidList = z
  .string()
  .transform((v) => v.split(/[,\\]/).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(dicomUidSchema).min(1).max(200));

/** StudyDate as DICOM allows it in a query: `YYYYMMDD`, `A-B`, `A-` or `-B` (dashes in dates tolerated). */
const dateRange = z
  .string()
  .transform((v) => v.replace(/(\d{4})-(\d{2})-(\d{2})/g, '$1$2$3'))
  .refine((v) => /^(\d{8})?-?(\d{8})?$/.test(v) && v !== '-' && v !== '', 'StudyDate: YYYYMMDD, or a range YYYYMMDD-YYYYMMDD (either end open)')
  .transform((v) => {
    if (!v.includes('-')) return { from: v, to: v };
    const [from, to] = v.split('-');
    return { from: from && DATE.test(from) ? from : undefined, to: to && DATE.test(to) ? to : undefined };
  });

/** A string key: exact, or with `*` wildcards at either end (PS3.4 C.2.2.2.4); `?` and inner `*` are not supported. */
const text = z
  .string()
  .min(1)
  .max(64)
  .refine((v) => !v.includes('?') && !v.slice(1, -1).includes('*'), 'only leading or trailing * wildcards are supported')
  .transform((v): TextMatch => {
    const starts = v.startsWith('*');
    const ends = v.endsWith('*') && v.length > 1;
    const core = v.replace(/^\*/, '').replace(/\*$/, '');
    if (core === '') return { any: true };
    if (starts && ends) return { contains: core };
    if (ends) return { startsWith: core };
    if (starts) return { endsWith: core };
    return { equals: core };
  });

/** How a string key matches; `any` for a bare `*` (matches everything, like an absent key). */
export type TextMatch = { equals: string } | { startsWith: string } | { endsWith: string } | { contains: string } | { any: true };

export const QidoQuerySchema = z
  .object({
    StudyInstanceUID: uidList.optional(),
    SeriesInstanceUID: uidList.optional(),
    SOPInstanceUID: uidList.optional(),
    PatientID: text.optional(),
    PatientName: text.optional(),
    AccessionNumber: text.optional(),
    StudyDescription: text.optional(),
    StudyDate: dateRange.optional(),
    /** One modality or several (`CT\\MR` or `CT,MR`): studies holding any of them. */
    ModalitiesInStudy: z
      .string()
      .transform((v) => v.split(/[,\\]/).map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[A-Z0-9_]{1,16}$/, 'a modality code such as CT')).min(1).max(20))
      .optional(),
    Modality: z.string().regex(/^[A-Z0-9_]{1,16}$/, 'a modality code such as CT').optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    /** Accepted (`all` or attribute names): answers always carry every attribute we hold at that level. */
    includefield: z.string().max(2000).optional(),
    /** Fuzzy matching is not supported: `fuzzymatching=true` is refused rather than silently ignored. */
    fuzzymatching: z.enum(['false']).optional(),
  })
  .strict();

export type QidoQuery = z.output<typeof QidoQuerySchema>;

/**
 * The URL's search parameters as the schema expects them: tags (`0020000D`) mapped to keywords,
 * repeated keys joined (`includefield=a&includefield=b`). Unknown keys are refused by the schema
 * (422 naming them), so a client never gets unfiltered results for a filter we did not apply.
 */
export function qidoParams(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawKey, value] of search) {
    const key = KEY_ALIASES[rawKey.toUpperCase()] ?? rawKey;
    out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  }
  return out;
}
