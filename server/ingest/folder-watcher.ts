import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { walkFiles } from '@/server/files';
import type { Logger } from '@/server/logging';
import type { IngestOutcome, IngestSource } from './ingest-service';

export interface FolderWatcherOptions {
  dir: string;
  pollIntervalMs: number;
  ingest: (bytes: Uint8Array, source: IngestSource) => Promise<IngestOutcome>;
  log: Logger;
}

/** What one pass over the folder did. */
export interface FolderPass {
  /** Ingested (stored, duplicate or quarantined) and removed. */
  taken: number;
  /** Still growing or new since the last pass: looked at again next time. */
  waiting: number;
  /** Ingest failed (disk, database): left in place, tried again next pass. */
  failed: number;
}

/** Larger files are left where they are (one warning): no CT instance comes near this. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;
const SOURCE: IngestSource = { channel: 'folder', sender: 'watched-folder' };

/**
 * Ingests files dropped into a folder (e.g. a share a modality or a PACS exports to). It polls
 * rather than using fs.watch, which misses events on network shares (SMB/NFS) and when many files
 * land at once. A file is taken once its size and mtime held for one whole poll, i.e. the writer
 * has finished; hidden files and folders (names starting with ".", where copy tools write before
 * renaming) and symlinks are ignored. A file is removed only after ingest acknowledged it (stored
 * on disk and recorded, or quarantined with its reason), so a crash in between re-ingests it, which
 * is harmless: ingest is idempotent by SOP Instance UID. Non-DICOM files end up in quarantine,
 * never silently deleted. The sender is recorded as "watched-folder", not the file name, which
 * exporters often build from the patient's name.
 */
export class FolderWatcher {
  private readonly seen = new Map<string, string>();
  private readonly warnedTooLarge = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private active = false;
  private halted = false;

  constructor(private readonly opts: FolderWatcherOptions) {}

  /** Creates the folder when missing and starts polling. */
  async start(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    this.active = true;
    this.opts.log.info({ dir: this.opts.dir, pollIntervalMs: this.opts.pollIntervalMs }, 'watching folder');
    this.schedule();
  }

  /** Stops polling; resolves after a pass in progress has finished its current file. */
  async stop(): Promise<void> {
    this.active = false;
    this.halted = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (!this.active) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((err: unknown) => this.opts.log.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'watched folder pass failed'))
        .finally(() => this.schedule());
    }, this.opts.pollIntervalMs);
  }

  /** One pass: takes every file that stopped changing since the previous pass. */
  async poll(): Promise<FolderPass> {
    const pass: FolderPass = { taken: 0, waiting: 0, failed: 0 };
    const present = new Set<string>();
    for await (const path of walkFiles(this.opts.dir)) {
      if (this.halted) break;
      if (relative(this.opts.dir, path).split(sep).some((part) => part.startsWith('.'))) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info) continue; // gone since listed
      present.add(path);
      const signature = `${info.size}:${info.mtimeMs}`;
      const stable = this.seen.get(path) === signature;
      this.seen.set(path, signature);
      if (!stable) {
        pass.waiting++;
        continue;
      }
      if (info.size > MAX_FILE_BYTES) {
        if (!this.warnedTooLarge.has(path)) this.opts.log.warn({ size: info.size }, 'watched folder: file over 256 MiB left in place');
        this.warnedTooLarge.add(path);
        continue;
      }
      if (await this.take(path)) {
        pass.taken++;
        this.seen.delete(path);
      } else {
        pass.failed++;
      }
    }
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
    return pass;
  }

  private async take(path: string): Promise<boolean> {
    let outcome: IngestOutcome;
    try {
      outcome = await this.opts.ingest(await readFile(path), SOURCE);
    } catch (err) {
      // File names are not logged: exporters often name files after the patient.
      this.opts.log.error({ err: { name: err instanceof Error ? err.name : typeof err } }, 'watched folder: ingest failed, file left for the next pass');
      return false;
    }
    // Acknowledged (on disk and recorded, or quarantined): only now may the original go.
    try {
      await unlink(path);
    } catch (err) {
      // ENOENT: another node sharing the folder took it first. Otherwise (a read-only share) it
      // stays and is sent again next pass, which ingest answers as a duplicate.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        this.opts.log.error({ code }, 'watched folder: could not remove an ingested file');
        return false;
      }
    }
    this.opts.log.debug({ status: outcome.status }, 'watched folder: file taken');
    return true;
  }
}
