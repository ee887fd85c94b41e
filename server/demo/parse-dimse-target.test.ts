import { describe, expect, it } from 'vitest';
import { parseDimseTarget } from './parse-dimse-target';

describe('parseDimseTarget', () => {
  it('reads AE@host:port, including IPv6 in brackets', () => {
    expect(parseDimseTarget('ICHTRIAGE@localhost:11112')).toEqual({ calledAeTitle: 'ICHTRIAGE', host: 'localhost', port: 11112 });
    expect(parseDimseTarget('PACS@[::1]:104')).toEqual({ calledAeTitle: 'PACS', host: '::1', port: 104 });
  });

  it.each(['localhost:11112', 'ICHTRIAGE@localhost', 'A@h:0', 'A@h:70000', 'SEVENTEEN_CHARS_AE@h:104', 'http://x/dicomweb'])('refuses %s with VALIDATION_FAILED', (text) => {
    expect(() => parseDimseTarget(text)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
