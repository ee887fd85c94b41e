import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The temporary names `writeFileDurably` uses: what a kill mid-write can leave behind. */
export const DURABLE_WRITE_TEMP = /^\.[0-9a-f]{12}\.tmp$/;

/**
 * Writes a file so that once this resolves it survives a crash or power cut: write to a temporary
 * name in the same folder, fsync the file, rename over the final name (atomic on POSIX), then fsync
 * the folder so the rename itself is on disk. A reader never sees a half-written file.
 */
export async function writeFileDurably(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(tmp, 'w', 0o640);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await file.close();
  await rename(tmp, path);
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
