/**
 * What POST /api/upload answers, shared by the upload service and the upload page. Isomorphic:
 * no server imports.
 */
type Problem = { code: string; message: string };

/** What became of one file (a zip entry is named `archive.zip/path/in/zip`). */
export type UploadFileResult =
  | { name: string; status: 'stored' | 'duplicate'; studyInstanceUid: string; sopInstanceUid: string }
  /** Read, found unusable, kept in quarantine with its reason. */
  | { name: string; status: 'quarantined'; error: Problem; quarantineId: string }
  /** Not read at all: unsafe name, nested zip, zip bomb, damaged archive. */
  | { name: string; status: 'refused'; error: Problem }
  /** Could not be stored (disk, database): send it again. */
  | { name: string; status: 'failed'; error: Problem };

export interface UploadReport {
  summary: Record<UploadFileResult['status'], number>;
  files: UploadFileResult[];
}
