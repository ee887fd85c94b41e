import type { DbClient } from '@/server/db';
import type { IngestSource } from './ingest-service';

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
 * (the demo scanner, tests) count as uploads; `origin` keeps the channel and sender as given.
 */
export async function recordQuarantinedInput(prisma: DbClient, entry: QuarantineEntry): Promise<void> {
  await prisma.quarantinedInput.create({
    data: {
      source: SOURCES[entry.source.channel as keyof typeof SOURCES] ?? 'upload',
      origin: `${entry.source.channel}:${entry.source.sender}`,
      storedPath: entry.relativePath,
      sizeBytes: entry.size,
      sha256: entry.sha256,
      errorCode: entry.code,
      message: entry.message.slice(0, 500),
    },
  });
}
