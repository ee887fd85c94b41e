import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DicomFileStore } from './dicom-file-store';
import { removeStaleTempFiles } from './remove-stale-temp-files';

describe('removeStaleTempFiles', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stale-tmp-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes the temporary files a killed write left, and nothing else', async () => {
    const store = new DicomFileStore(root);
    const stored = await store.store(new Uint8Array([1, 2, 3]), { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4' });
    const series = join(root, '1.2', '1.2.3');
    // What a kill between write and rename leaves (writeFileDurably's own naming), an hour old.
    const stale = join(series, '.0123456789ab.tmp');
    const fresh = join(series, '.ba9876543210.tmp'); // a write that may still be running on another node
    const lookalike = join(series, 'notes.tmp'); // not ours: left alone
    for (const f of [stale, fresh, lookalike]) writeFileSync(f, 'partial');
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    utimesSync(stale, hourAgo, hourAgo);
    utimesSync(lookalike, hourAgo, hourAgo);
    mkdirSync(join(root, 'empty'));

    expect(await removeStaleTempFiles(root)).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(lookalike)).toBe(true);
    expect([...(await store.read(stored.relativePath))]).toEqual([1, 2, 3]);
  });

  it('counts 0 for a folder that does not exist yet (first start)', async () => {
    expect(await removeStaleTempFiles(join(root, 'missing'))).toBe(0);
  });
});
