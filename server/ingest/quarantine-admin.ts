import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@/lib/errors';
import type { ReingestResult } from '@/lib/quarantine';
import type { AuditActor, AuditLog } from '@/server/audit/audit-log';
import type { DbClient } from '@/server/db';
import type { DicomFileStore } from '@/server/files';
import type { Logger } from '@/server/logging';
import { IngestService, type IngestOutcome, type ReceivedInstance } from './ingest-service';
import { parseOrigin } from './quarantine-query';
import type { QuarantineStore } from './quarantine-store';

/** Who acts on the quarantine, for the journal. */
export type QuarantineActor = AuditActor & { ip: string | null };

export interface QuarantineAdminOptions {
  prisma: DbClient;
  audit: AuditLog;
  /** Where the quarantined bytes are kept ($DATA_DIR/quarantine). */
  quarantine: QuarantineStore;
  /** The normal ingest's file store and recorder: a re-ingested file goes exactly where a new one would. */
  files: DicomFileStore;
  record: (instance: ReceivedInstance) => Promise<void>;
  log: Logger;
}


const notFound = () => new AppError('NOT_FOUND', 'no such quarantined input');

/**
 * What an admin does with a quarantined input: download its original bytes, delete it, or run it
 * through the normal ingest again once the cause is fixed (a sender's setting, an allowed
 * transfer syntax, a new version that accepts it). Each is journaled with the entry's id, code
 * and size; never its bytes or name.
 */
export class QuarantineAdmin {
  constructor(private readonly opts: QuarantineAdminOptions) {}

  /** The original bytes, as received. NOT_FOUND for an unknown id or a file gone from disk. */
  async download(actor: QuarantineActor, id: string): Promise<{ bytes: Uint8Array; id: string }> {
    const row = await this.row(id);
    const bytes = await this.readBytes(row.storedPath);
    await this.journal(actor, 'quarantine.downloaded', row, {});
    return { bytes, id: row.id };
  }

  /** Deletes the entry and its files (the row and journal entry first, so a crash leaves an orphan file, never a dangling row). */
  async delete(actor: QuarantineActor, id: string): Promise<void> {
    const row = await this.row(id);
    await this.opts.audit.transaction(async (tx) => {
      const { count } = await tx.quarantinedInput.deleteMany({ where: { id: row.id } });
      if (count !== 1) throw notFound();
      await this.opts.audit.append(this.event(actor, 'quarantine.deleted', row, {}), tx);
    });
    await this.removeFiles(row.storedPath);
    this.opts.log.info({ quarantineId: row.id, code: row.errorCode }, 'quarantined input deleted');
  }

  /**
   * Runs the bytes through the normal ingest, as from their original sender. Stored (or already
   * held): the entry and its files go. Refused again: nothing new is quarantined; the entry stays
   * with the reason found now.
   */
  async reingest(actor: QuarantineActor, id: string): Promise<ReingestResult> {
    const row = await this.row(id);
    const bytes = await this.readBytes(row.storedPath);
    let refused: { code: string; message: string } | undefined;
    // The same IngestService, but a refusal is reported back instead of kept a second time.
    const keepNothing = {
      root: this.opts.quarantine.root,
      keep: async (_bytes: Uint8Array, reason: { code: string; message: string }) => {
        refused = { code: reason.code, message: reason.message };
        return { id: row.id, relativePath: row.storedPath, sha256: row.sha256, size: bytes.length };
      },
    } as QuarantineStore;
    const ingest = new IngestService({ files: this.opts.files, quarantine: keepNothing, record: this.opts.record, log: this.opts.log });
    const origin = parseOrigin(row.origin) ?? { channel: 'upload', name: 'unknown' };
    const outcome: IngestOutcome = await ingest.ingest(bytes, { channel: origin.channel, sender: origin.name });
    if (outcome.status === 'quarantined') {
      const error = refused ?? outcome.error;
      await this.opts.audit.transaction(async (tx) => {
        await tx.quarantinedInput.update({ where: { id: row.id }, data: { errorCode: error.code, message: error.message.slice(0, 500) } });
        await this.opts.audit.append(this.event(actor, 'quarantine.reingested', row, { outcome: 'quarantined', newCode: error.code }), tx);
      });
      return { status: 'quarantined', error };
    }
    await this.opts.audit.transaction(async (tx) => {
      await tx.quarantinedInput.deleteMany({ where: { id: row.id } });
      await this.opts.audit.append(this.event(actor, 'quarantine.reingested', row, { outcome: outcome.status, studyInstanceUid: outcome.studyInstanceUid }), tx);
    });
    await this.removeFiles(row.storedPath);
    this.opts.log.info({ quarantineId: row.id, outcome: outcome.status }, 'quarantined input re-ingested');
    return { status: outcome.status, studyInstanceUid: outcome.studyInstanceUid };
  }

  private async row(id: string) {
    const row = await this.opts.prisma.quarantinedInput.findUnique({ where: { id } });
    if (!row) throw notFound();
    return row;
  }

  private async readBytes(storedPath: string): Promise<Uint8Array> {
    try {
      return await readFile(join(this.opts.quarantine.root, storedPath));
    } catch {
      throw new AppError('NOT_FOUND', 'the quarantined file is no longer on disk');
    }
  }

  private async removeFiles(storedPath: string): Promise<void> {
    const path = join(this.opts.quarantine.root, storedPath);
    await rm(path, { force: true });
    await rm(path.replace(/\.bin$/, '.json'), { force: true });
  }

  private event(actor: QuarantineActor, action: 'quarantine.downloaded' | 'quarantine.deleted' | 'quarantine.reingested', row: { id: string; errorCode: string; sizeBytes: number | null }, extra: Record<string, string>) {
    return { actor, ip: actor.ip, action, target: { type: 'quarantine' as const, id: row.id }, details: { code: row.errorCode, sizeBytes: row.sizeBytes, ...extra } };
  }

  private async journal(actor: QuarantineActor, action: 'quarantine.downloaded', row: { id: string; errorCode: string; sizeBytes: number | null }, extra: Record<string, string>) {
    await this.opts.audit.append(this.event(actor, action, row, extra));
  }
}
