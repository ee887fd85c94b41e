import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { parseRsnaLabels } from './rsna-labels';

describe('parseRsnaLabels', () => {
  it('reads RSNA rows, splitting the label at the last underscore', () => {
    const table = parseRsnaLabels('ID,Label\nID_0a1b2c3d4_any,1\nID_0a1b2c3d4_subdural,1\nID_0a1b2c3d4_epidural,0\n1.2.3.4_any,0\n');
    expect(table.get('ID_0a1b2c3d4')).toEqual({
      any: 1,
      epidural: 0,
      intraparenchymal: null,
      intraventricular: null,
      subarachnoid: null,
      subdural: 1,
    });
    expect(table.get('1.2.3.4')?.any).toBe(0);
    expect(table.size).toBe(2);
  });

  it('accepts CRLF and a file without a header', () => {
    expect(parseRsnaLabels('ID_x_any,1\r\nID_x_subdural,0\r\n').get('ID_x')?.any).toBe(1);
  });

  it('names the line of a malformed row', () => {
    for (const bad of ['ID,Label\nID_x_any;1', 'ID,Label\nID_x_bleed,1', 'ID,Label\nID_x_any,2', 'ID,Label\n_any,1']) {
      try {
        parseRsnaLabels(bad);
        expect.unreachable(bad);
      } catch (err) {
        expect(isAppError(err, 'VALIDATION_FAILED')).toBe(true);
        expect((err as Error).message).toMatch(/^line 2:/);
      }
    }
  });
});
