import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import { AppError } from '@/lib/errors';
import type { ZipEntry } from './read-zip-directory';

const inflate = promisify(inflateRaw);

/**
 * One entry's bytes, checked against what the directory declared: inflating stops as soon as the
 * output passes the declared size (zlib's maxOutputLength), so a lying header cannot make us
 * inflate a bomb, and the CRC must match. Node's zlib runs in the thread pool, off the event loop.
 */
export async function inflateZipEntry(zip: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  if (entry.encrypted) throw new AppError('UPLOAD_BAD_ZIP', 'encrypted zip entry: refused');
  if (entry.method !== 0 && entry.method !== 8) {
    throw new AppError('UPLOAD_BAD_ZIP', `zip compression method ${entry.method} is not supported (stored and deflate only)`);
  }
  const data = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let bytes: Uint8Array;
  if (entry.method === 0) {
    bytes = data;
  } else {
    try {
      // One more byte than declared, so "longer than declared" is told apart from "exactly it".
      bytes = await inflate(data, { maxOutputLength: Math.max(1, entry.uncompressedSize + 1) });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new AppError('UPLOAD_ZIP_BOMB', 'zip entry inflates to more than its header declares: refused');
      throw new AppError('UPLOAD_BAD_ZIP', `zip entry cannot be inflated (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (bytes.length !== entry.uncompressedSize) {
    throw new AppError('UPLOAD_BAD_ZIP', `zip entry is ${bytes.length} bytes, its header declares ${entry.uncompressedSize}`);
  }
  if (crc32(bytes) !== entry.crc32) throw new AppError('UPLOAD_BAD_ZIP', 'zip entry fails its CRC check (damaged archive)');
  return bytes;
}
