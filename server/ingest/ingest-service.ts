import { AppError, isAppError } from '@/lib/errors';
import { checkIsCt, parseDicom, type DicomHeader, type DicomWarning } from '@/server/dicom';
import type { Logger } from '@/server/logging';
import type { DicomFileStore, StoredInstance } from '@/server/files';
import { checkSopConflict } from './check-sop-conflict';
import type { QuarantineStore } from './quarantine-store';

/** Where an instance came from, for logs and quarantine notes (never patient data). */
export interface IngestSource {
  /** e.g. "dimse", "stow", "upload", "folder", "demo". */
  channel: string;
  /** Calling AE title, user or file name: who handed it over. */
  sender: string;
  /** The file's name as uploaded, when there was one; the quarantine keeps it only if it is safe (safe-file-name.ts). */
  fileName?: string | undefined;
}

export type IngestOutcome =
  | { status: 'stored' | 'duplicate'; studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string; sopClassUid: string | undefined }
  | { status: 'quarantined'; error: { code: string; message: string }; quarantineId: string };

/** A stored instance, handed to whatever records it (database row, processing queue). */
export interface ReceivedInstance {
  header: DicomHeader;
  stored: StoredInstance;
  source: IngestSource;
  /** Non-fatal problems of the header (e.g. UID_NOT_CONFORMANT), kept on the instance (none when absent). */
  warnings?: DicomWarning[] | undefined;
}

export interface IngestServiceOptions {
  files: DicomFileStore;
  quarantine: QuarantineStore;
  /**
   * Commits the instance (e.g. its database row). Ingest resolves only after this does, so a
   * sender is told "stored" only for what is on disk AND recorded.
   */
  record: (instance: ReceivedInstance) => Promise<void>;
  /** Records a quarantined input (e.g. for the admin list). */
  recordQuarantine?: (entry: { id: string; relativePath: string; sha256: string; size: number; code: string; message: string; source: IngestSource }) => Promise<void>;
  log: Logger;
}

/**
 * The one durable way in, whatever the channel (C-STORE, STOW-RS, upload, folder, demo scanner):
 * read the header, refuse what is not a usable CT image into quarantine with its reason, store the
 * file durably, record it, and only then report success. A SOP Instance UID re-sent identically is
 * a harmless duplicate; re-sent under another study, series or patient, or with other pixels, it is
 * quarantined as DICOM_SOP_UID_CONFLICT and the stored instance is left as it was. Pixels are not decoded here: that is the
 * analysis stage's job, and a sender should not wait for it.
 */
export class IngestService {
  constructor(private readonly opts: IngestServiceOptions) {}

  async ingest(bytes: Uint8Array, source: IngestSource): Promise<IngestOutcome> {
    let header: DicomHeader;
    let warnings: DicomWarning[];
    try {
      ({ header, warnings } = parseDicom(bytes, { headerOnly: true }));
      checkIsCt(header);
    } catch (err) {
      return this.quarantine(bytes, source, err);
    }
    let stored: StoredInstance;
    try {
      const { studyInstanceUid, seriesInstanceUid, sopInstanceUid } = header;
      const ids = { studyInstanceUid, seriesInstanceUid, sopInstanceUid };
      // A different file under the same UIDs: a header-only correction is stored, other pixels or
      // another patient are refused before they could overwrite what was analysed.
      const previous = await this.opts.files.readExisting(ids);
      const conflict = previous && !previous.equals(bytes) ? checkSopConflict(previous, bytes) : null;
      if (conflict) return this.quarantine(bytes, source, conflict);
      stored = await this.opts.files.store(bytes, ids);
    } catch (err) {
      if (isAppError(err, 'DICOM_INVALID_UID')) return this.quarantine(bytes, source, err);
      throw err; // disk full, permissions: the sender must be told it failed, and may retry
    }
    try {
      await this.opts.record({ header, stored, source, warnings });
    } catch (err) {
      // The UID is already recorded in another study, series or patient (record-instance.ts): the
      // file just written under the new study is removed, the one recorded before stays.
      if (!isAppError(err, 'DICOM_SOP_UID_CONFLICT')) throw err;
      if (!stored.duplicate) await this.opts.files.remove(stored.relativePath);
      return this.quarantine(bytes, source, err);
    }
    this.opts.log.debug({ channel: source.channel, sop: header.sopInstanceUid, duplicate: stored.duplicate }, 'instance stored');
    return {
      status: stored.duplicate ? 'duplicate' : 'stored',
      studyInstanceUid: header.studyInstanceUid,
      seriesInstanceUid: header.seriesInstanceUid,
      sopInstanceUid: header.sopInstanceUid,
      sopClassUid: header.sopClassUid,
    };
  }

  private async quarantine(bytes: Uint8Array, source: IngestSource, err: unknown): Promise<IngestOutcome> {
    const error = isAppError(err) ? err.toJSON() : new AppError('INTERNAL', err instanceof Error ? err.message : String(err)).toJSON();
    const kept = await this.opts.quarantine.keep(bytes, error, `${source.channel}:${source.sender}`);
    await this.opts.recordQuarantine?.({ ...kept, ...error, source });
    this.opts.log.warn({ channel: source.channel, sender: source.sender, quarantineId: kept.id, code: error.code, reason: error.message }, 'input quarantined');
    return { status: 'quarantined', error, quarantineId: kept.id };
  }
}
