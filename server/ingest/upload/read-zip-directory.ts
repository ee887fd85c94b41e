import { AppError } from '@/lib/errors';

/** One file of a zip archive as its central directory declares it; nothing is decompressed yet. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; anything else is refused when read. */
  method: number;
  encrypted: boolean;
  crc32: number;
  compressedSize: number;
  /** Declared, i.e. claimed by whoever made the archive: checked again when inflating. */
  uncompressedSize: number;
  /** Where the entry's compressed bytes start in the archive. */
  dataOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_MARK = 0xffffffff;

/**
 * True when the bytes start like a zip archive (a local file header, or an empty archive) and are
 * not a DICOM file: a Part 10 preamble may hold anything, even a zip signature (PS3.10 7.5).
 */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const sig = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const dicm = bytes.length >= 132 && String.fromCharCode(bytes[128]!, bytes[129]!, bytes[130]!, bytes[131]!) === 'DICM';
  return (sig === LOCAL || sig === EOCD) && !dicm;
}

const bad = (message: string) => new AppError('UPLOAD_BAD_ZIP', message);

/**
 * Reads a zip's central directory (APPNOTE 4.3.12/4.3.16) so every entry's name and declared sizes
 * can be judged before a byte is inflated. fflate's unzip cannot be used for this: it inflates as
 * it lists and trusts the declared size. Entries whose data overlap are the construction of the
 * non-recursive zip bomb (many entries sharing one compressed stream) and refuse the archive.
 */
export function readZipDirectory(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('not a complete zip archive (no end of central directory; truncated?)');
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) throw bad('multi-part (split) zip archives are not supported');
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirSize === ZIP64_MARK || dirOffset === ZIP64_MARK) throw bad('ZIP64 archives are not supported (zip fewer than 65,535 files under 4 GiB)');
  if (dirOffset + dirSize > eocd) throw bad('the central directory lies outside the archive');

  const decoder = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  const spans: [number, number][] = [];
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CENTRAL) throw bad(`central directory entry ${n + 1} is damaged`);
    const flags = view.getUint16(p + 8, true);
    const compressedSize = view.getUint32(p + 20, true);
    const uncompressedSize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const skip = nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    if (compressedSize === ZIP64_MARK || uncompressedSize === ZIP64_MARK || localOffset === ZIP64_MARK) {
      throw bad('ZIP64 archives are not supported (zip fewer than 65,535 files under 4 GiB)');
    }
    const name = decoder.decode(zip.subarray(p + 46, p + 46 + nameLength));
    if (localOffset + 30 > dirOffset || view.getUint32(localOffset, true) !== LOCAL) throw bad(`entry "${name}" points outside the archive`);
    const dataOffset = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataOffset + compressedSize > dirOffset) throw bad(`entry "${name}" runs past the end of the archive`);
    entries.push({
      name,
      method: view.getUint16(p + 10, true),
      encrypted: (flags & 1) !== 0,
      crc32: view.getUint32(p + 16, true),
      compressedSize,
      uncompressedSize,
      dataOffset,
    });
    spans.push([localOffset, dataOffset + compressedSize]);
    p += 46 + skip;
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) throw new AppError('UPLOAD_ZIP_BOMB', 'zip entries overlap one another (a zip bomb construction): archive refused');
  }
  return entries;
}
