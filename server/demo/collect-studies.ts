import { open } from 'node:fs/promises';
import { walkFiles } from '@/server/files';
import dicomParser from 'dicom-parser';

/** The files of one study found in a folder, in path order. */
export interface CollectedStudy {
  /** StudyInstanceUID, or null for DICOM files whose header could not be read (sent alone). */
  studyInstanceUid: string | null;
  files: string[];
}

export interface CollectedFolder {
  studies: CollectedStudy[];
  /** Files that are not DICOM Part-10 (no "DICM" at byte 128) or a DICOMDIR: never sent. */
  skipped: string[];
}

// Enough of a file for the header of any study-level attribute, well before pixel data.
const HEAD_BYTES = 64 * 1024;

/**
 * Walks `root` recursively (sorted) and groups its DICOM files by StudyInstanceUID, reading only
 * each file's first 64 KiB, so a folder of thousands of slices never sits in memory at once.
 */
export async function collectStudies(root: string): Promise<CollectedFolder> {
  const byStudy = new Map<string, string[]>();
  const unreadable: string[] = [];
  const skipped: string[] = [];
  for await (const file of walkFiles(root)) {
    const head = await readHead(file);
    const isPart10 = head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
    if (!isPart10 || /(^|\/)DICOMDIR$/i.test(file)) {
      skipped.push(file);
      continue;
    }
    const uid = studyUidOf(head);
    if (uid === undefined) unreadable.push(file);
    else byStudy.set(uid, [...(byStudy.get(uid) ?? []), file]);
  }
  return {
    studies: [...[...byStudy].map(([studyInstanceUid, files]) => ({ studyInstanceUid, files })), ...unreadable.map((f) => ({ studyInstanceUid: null, files: [f] }))],
    skipped,
  };
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** StudyInstanceUID from a file's first bytes; undefined when the header cannot be read that far. */
function studyUidOf(head: Uint8Array): string | undefined {
  try {
    // A cut-off element past the study UID throws; dicom-parser then hands back what it read.
    const dataSet = dicomParser.parseDicom(head, { untilTag: 'x0020000d' });
    return dataSet.string('x0020000d')?.trim() || undefined;
  } catch (err) {
    const partial = (err as { dataSet?: { string(tag: string): string | undefined } }).dataSet;
    return partial?.string('x0020000d')?.trim() || undefined;
  }
}
