import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Every regular file under `path` (itself when it is a file), in sorted order, recursing into folders. */
export async function* walkFiles(path: string): AsyncGenerator<string> {
  if (!(await stat(path)).isDirectory()) {
    yield path;
    return;
  }
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.isDirectory()) yield* walkFiles(join(path, entry.name));
    else if (entry.isFile()) yield join(path, entry.name);
  }
}
