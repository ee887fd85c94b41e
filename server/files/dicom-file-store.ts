import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { isSafeUid, UID_RULE } from '@/lib/dicom-uid';
import { AppError } from '@/lib/errors';
import { walkFiles } from './walk-files';
import { writeFileDurably } from './durable-write';

export interface InstanceIds {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

export interface StoredInstance {
  /** Path relative to the store's root: what the database records. */
  relativePath: string;
  sha256: string;
  size: number;
  /** The same bytes were already stored under this SOP Instance UID: nothing was written. */
  duplicate: boolean;
}

// Every UID is checked (lib/dicom-uid: safe characters, no '.'/'..' segment, at most 64) before it
// becomes part of a path, so no header can write outside the store.
function checkUid(name: string, uid: string): void {
  if (!isSafeUid(uid)) throw new AppError('DICOM_INVALID_UID', `${name} is not a DICOM UID (${UID_RULE})`);
}

/** Where an instance lives under the root: study/series/sop.dcm, every part a checked UID. */
function pathOf(ids: InstanceIds): string {
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid } = ids;
  for (const [name, uid] of Object.entries({ studyInstanceUid, seriesInstanceUid, sopInstanceUid })) checkUid(name, uid);
  return join(studyInstanceUid, seriesInstanceUid, `${sopInstanceUid}.dcm`);
}

/**
 * Received DICOM instances on disk, one file per SOP instance under study/series folders. A file
 * is durable (fsync'd) before `store` resolves, so the sender may be told "stored".
 */
export class DicomFileStore {
  constructor(readonly root: string) {}

  async store(bytes: Uint8Array, ids: InstanceIds): Promise<StoredInstance> {
    const relativePath = pathOf(ids);
    const path = join(this.root, relativePath);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (await this.sameContent(path, bytes.length, sha256)) {
      return { relativePath, sha256, size: bytes.length, duplicate: true };
    }
    await writeFileDurably(path, bytes);
    return { relativePath, sha256, size: bytes.length, duplicate: false };
  }

  /** The file already stored for these ids, or undefined when there is none (read before a re-send may replace it). */
  async readExisting(ids: InstanceIds): Promise<Buffer | undefined> {
    return readFile(join(this.root, pathOf(ids))).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  }

  /** Deletes one file `store` wrote (a re-send refused after it was written); a missing file is fine. */
  async remove(relativePath: string): Promise<void> {
    const root = resolve(this.root);
    const path = resolve(root, relativePath);
    if (!path.startsWith(root + sep)) throw new AppError('NOT_FOUND', 'stored path is outside the store');
    await rm(path, { force: true });
  }

  /** The stored bytes at a path the database recorded; a path leading outside the store is refused. */
  read(relativePath: string): Promise<Buffer> {
    const root = resolve(this.root);
    const path = resolve(root, relativePath);
    if (!path.startsWith(root + sep)) return Promise.reject(new AppError('NOT_FOUND', 'stored path is outside the store'));
    return readFile(path);
  }

  /** Deletes every stored file of a study (retention). Returns the bytes freed; 0 when none were left. */
  async removeStudy(studyInstanceUid: string): Promise<number> {
    checkUid('studyInstanceUid', studyInstanceUid);
    const dir = join(this.root, studyInstanceUid);
    if (!(await stat(dir).catch(() => undefined))) return 0;
    let bytes = 0;
    for await (const file of walkFiles(dir)) bytes += (await stat(file)).size;
    await rm(dir, { recursive: true, force: true });
    return bytes;
  }

  private async sameContent(path: string, size: number, sha256: string): Promise<boolean> {
    const info = await stat(path).catch(() => undefined);
    if (!info || info.size !== size) return false;
    return createHash('sha256').update(await readFile(path)).digest('hex') === sha256;
  }
}
