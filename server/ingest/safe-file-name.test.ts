import { describe, expect, it } from 'vitest';
import { safeFileName } from './safe-file-name';

describe('safeFileName', () => {
  it('keeps names a scanner or archive makes by itself', () => {
    for (const name of ['1.2.840.113619.2.55.3.1234.dcm', 'IM000123', 'IMG_0042.dcm', 'CT.1.2.3.dcm', 'slice-017.dcm', '000001.DCM', '3f2b8c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f.dcm', 'e3b0c44298fc1c149afbf4c8996fb924.bin']) {
      expect(safeFileName(name), name).toBe(name);
    }
    expect(safeFileName('study.zip/series1/IM0001')).toBe('IM0001');
  });

  it('withholds anything that could be a name: letters outside the fixed prefixes and extensions', () => {
    for (const name of ['DOE_JANE_head.dcm', 'Doe^Jane.dcm', 'JD_0001.dcm', 'smith.zip', 'IM_smith_01.dcm', 'patient 12.dcm', 'ab.dcm', 'CT HEAD.dcm', '', undefined, `${'1'.repeat(200)}.dcm`]) {
      expect(safeFileName(name), String(name)).toBeNull();
    }
  });
});
