import type { UploadReport } from '@/server/ingest/upload';
import type { JsonValue } from './canonical-json';

/** Most study UIDs and quarantine ids one upload entry lists; the counts stay exact beyond. */
const MAX_LISTED = 50;

/**
 * What the journal keeps of an upload: how many files, what became of them, which studies got
 * instances and which quarantine entries were made. Never the file names: people name exports
 * after the patient ("DOE_JANE_CT.zip"), and the journal holds no patient identifiers. The study
 * UIDs and quarantine ids lead to the rest (the quarantine keeps a name only when it is safe).
 */
export function uploadAuditDetails(status: number, body: UploadReport | { error: { code: string; message: string } }): { [key: string]: JsonValue } {
  if ('error' in body) return { httpStatus: status, refused: body.error.code };
  const studies = [...new Set(body.files.flatMap((f) => (f.status === 'stored' || f.status === 'duplicate' ? [f.studyInstanceUid] : [])))];
  const quarantineIds = body.files.flatMap((f) => (f.status === 'quarantined' ? [f.quarantineId] : []));
  const problems: Record<string, number> = {};
  for (const f of body.files) if (f.status === 'refused' || f.status === 'failed' || f.status === 'quarantined') problems[f.error.code] = (problems[f.error.code] ?? 0) + 1;
  return {
    httpStatus: status,
    files: body.files.length,
    ...body.summary,
    problems,
    studies: studies.slice(0, MAX_LISTED),
    studyCount: studies.length,
    quarantineIds: quarantineIds.slice(0, MAX_LISTED),
  };
}
