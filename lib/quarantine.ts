/**
 * The quarantine as the admin API returns it (server/ingest/quarantine-query.ts). Isomorphic: the
 * quarantine page renders these.
 */
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

/** What `POST /api/quarantine/:id/reingest` answers. */
export type ReingestResult = { status: 'stored' | 'duplicate'; studyInstanceUid: string } | { status: 'quarantined'; error: { code: string; message: string } };
