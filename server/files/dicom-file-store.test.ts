import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { DicomFileStore } from './dicom-file-store';

const ids = { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5' };

describe('DicomFileStore', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'store-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores the bytes under study/series/sop and leaves no temporary file', async () => {
    const store = new DicomFileStore(root);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const stored = await store.store(bytes, ids);
    expect(stored).toMatchObject({ relativePath: '1.2.3/1.2.3.4/1.2.3.4.5.dcm', size: 4, duplicate: false });
    expect(stored.sha256).toBe('9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a');
    expect([...readFileSync(join(root, stored.relativePath))]).toEqual([1, 2, 3, 4]);
    expect(readdirSync(join(root, '1.2.3/1.2.3.4'))).toEqual(['1.2.3.4.5.dcm']);
  });

  it('treats the same instance sent twice as one (idempotent) and replaces changed content', async () => {
    const store = new DicomFileStore(root);
    await store.store(new Uint8Array([1, 2]), ids);
    expect((await store.store(new Uint8Array([1, 2]), ids)).duplicate).toBe(true);
    expect((await store.store(new Uint8Array([9, 9]), ids)).duplicate).toBe(false);
    expect([...(await store.read('1.2.3/1.2.3.4/1.2.3.4.5.dcm'))]).toEqual([9, 9]);
  });

  it('refuses unsafe UIDs in any position, so no header can steer a path', async () => {
    const store = new DicomFileStore(root);
    for (const bad of ['../../etc', '..', '.', '1.2.3/4', '1\\2', '%2e%2e', '%2F', '-rf', '', '1'.repeat(65), `ID_${'a'.repeat(62)}`]) {
      for (const key of ['studyInstanceUid', 'seriesInstanceUid', 'sopInstanceUid'] as const) {
        const err = await store.store(new Uint8Array([1]), { ...ids, [key]: bad }).catch((e: unknown) => e);
        expect(isAppError(err, 'DICOM_INVALID_UID'), `${key}=${bad}`).toBe(true);
      }
      await expect(store.removeStudy(bad)).rejects.toThrow(/not a DICOM UID/);
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('stores safe non-conformant UIDs (RSNA 2019 style) like any other', async () => {
    const store = new DicomFileStore(root);
    const rsna = { studyInstanceUid: 'ID_0a1b2c3d4', seriesInstanceUid: 'ID_5e6f7a8b9c', sopInstanceUid: 'ID_000012eaf' };
    const stored = await store.store(new Uint8Array([7]), rsna);
    expect(stored.relativePath).toBe('ID_0a1b2c3d4/ID_5e6f7a8b9c/ID_000012eaf.dcm');
    expect([...(await store.read(stored.relativePath))]).toEqual([7]);
    expect(await store.removeStudy('ID_0a1b2c3d4')).toBe(1);
  });

  it('reads only inside its root', async () => {
    const store = new DicomFileStore(root);
    for (const bad of ['../x.dcm', '/etc/passwd', '1.2.3/../../x']) await expect(store.read(bad)).rejects.toThrow(/outside the store/);
  });
});
