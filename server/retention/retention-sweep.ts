import type { DbClient } from '@/server/db';
import type { DicomFileStore } from '@/server/files';
import type { Logger } from '@/server/logging';

export interface RetentionSweepOptions {
  prisma: DbClient;
  files: DicomFileStore;
  /** Stored DICOM older than this (by arrival) is deleted. */
  retentionMs: number;
  intervalMs: number;
  log: Logger;
  /** Records what was purged (the audit journal); called once per study after its files are gone. */
  onPurged?: (study: { id: string; studyInstanceUid: string; bytes: number }) => Promise<void>;
}

/** Studies purged per pass: keeps each pass short; the next pass continues. */
const BATCH = 200;

/**
 * Deletes the stored DICOM files of studies older than the retention period. The images are a
 * copy (the PACS keeps the originals); the triage result, per-slice scores, status history and
 * audit trail stay, and the study records when its files went (`filesPurgedAt`) so the viewer can
 * say so. Studies still being received or analysed are never touched.
 */
export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly opts: RetentionSweepOptions) {}

  start(): void {
    const tick = () => {
      this.running = this.sweepOnce().catch((err: unknown) => this.opts.log.error({ err }, 'retention sweep failed'));
    };
    tick();
    this.timer = setInterval(tick, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass: purges up to BATCH expired studies; returns how many and the bytes freed. */
  async sweepOnce(now = new Date()): Promise<{ studies: number; bytes: number }> {
    const { prisma, files, log } = this.opts;
    const cutoff = new Date(now.getTime() - this.opts.retentionMs);
    const expired = await prisma.study.findMany({
      where: { receivedAt: { lt: cutoff }, filesPurgedAt: null, status: { notIn: ['receiving', 'analysing'] } },
      select: { id: true, StudyInstanceUID: true },
      orderBy: { receivedAt: 'asc' },
      take: BATCH,
    });
    let bytes = 0;
    for (const study of expired) {
      // Files first, then the mark: a crash in between leaves the study to be purged again (a no-op).
      const freed = await files.removeStudy(study.StudyInstanceUID);
      await prisma.study.update({ where: { id: study.id }, data: { filesPurgedAt: now } });
      await this.opts.onPurged?.({ id: study.id, studyInstanceUid: study.StudyInstanceUID, bytes: freed });
      bytes += freed;
    }
    if (expired.length > 0) log.info({ studies: expired.length, bytes, cutoff: cutoff.toISOString() }, 'retention: stored DICOM purged');
    return { studies: expired.length, bytes };
  }
}
