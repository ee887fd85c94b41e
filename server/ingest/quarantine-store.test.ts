import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuarantineStore } from './quarantine-store';

describe('QuarantineStore', () => {
  it('keeps the bytes and the reason side by side', async () => {
    const root = mkdtempSync(join(tmpdir(), 'quarantine-'));
    try {
      const q = new QuarantineStore(root);
      const kept = await q.keep(new Uint8Array([7, 7, 7]), { code: 'DICOM_NOT_DICOM', message: 'no DICM prefix' }, 'dimse:SCANNER1');
      expect([...readFileSync(join(root, kept.relativePath))]).toEqual([7, 7, 7]);
      const note = JSON.parse(readFileSync(join(root, kept.relativePath.replace(/\.bin$/, '.json')), 'utf8'));
      expect(note).toMatchObject({ id: kept.id, code: 'DICOM_NOT_DICOM', message: 'no DICM prefix', source: 'dimse:SCANNER1', size: 3 });
      expect(existsSync(join(root, kept.relativePath))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
