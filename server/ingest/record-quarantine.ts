import type { DbClient } from '@/server/db';
import type { IngestSource } from './ingest-service';
import { safeFileName } from './safe-file-name';

const SOURCES = { dimse: 'c_store', stow: 'stow', upload: 'upload', folder: 'folder' } as const;

/** A quarantined input as IngestService reports it. */
export interface QuarantineEntry {
  id: string;
  relativePath: string;
  sha256: string;
  size: number;
  code: string;
  message: string;
  source: IngestSource;
}

/**
 * Records a quarantined input for the admin list. Channels without their own InputSource value
 * (the demo scanner, tests) count as uploads; `origin` keeps the channel and sender as given. The
 * file name only when it cannot carry a patient name (the folder watcher gives none on purpose).
 */
export async function recordQuarantinedInput(prisma: DbClient, entry: QuarantineEntry): Promise<void> {
  await prisma.quarantinedInput.create({
    data: {
      // The store's id, so the id an upload answers (quarantineId) names this row too.
      id: entry.id,
      source: SOURCES[entry.source.channel as keyof typeof SOURCES] ?? 'upload',
      origin: `${entry.source.channel}:${entry.source.sender}`,
      storedPath: entry.relativePath,
      sizeBytes: entry.size,
      sha256: entry.sha256,
      errorCode: entry.code,
      message: entry.message.slice(0, 500),
      fileName: safeFileName(entry.source.fileName),
    },
  });
}
