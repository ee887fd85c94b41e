import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DURABLE_WRITE_TEMP } from './durable-write';
import { walkFiles } from './walk-files';

/** A write in progress finishes in far less: an older temporary file was left by a kill or crash. */
const DEFAULT_MIN_AGE_MS = 10 * 60_000;

/**
 * Deletes the temporary files a killed `writeFileDurably` left under `root` (they are never
 * renamed into place, so nothing refers to them). Only files older than `minAgeMs` go: another node
 * sharing the folder may be writing one right now. Returns how many were removed; a missing root is 0.
 */
export async function removeStaleTempFiles(root: string, minAgeMs = DEFAULT_MIN_AGE_MS, now = Date.now()): Promise<number> {
  if (!(await stat(root).catch(() => undefined))) return 0;
  let removed = 0;
  for await (const file of walkFiles(root)) {
    if (!DURABLE_WRITE_TEMP.test(basename(file))) continue;
    const info = await stat(file).catch(() => undefined);
    if (!info || now - info.mtimeMs < minAgeMs) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}
