import { describe, expect, it } from 'vitest';
import { findTransferSyntax, requireDecodableTransferSyntax, TRANSFER_SYNTAXES, transferSyntaxName } from './transfer-syntax';

describe('transfer syntax table', () => {
  it.each([
    ['1.2.840.10008.1.2', 'uncompressed'],
    ['1.2.840.10008.1.2.1.99', 'uncompressed'],
    ['1.2.840.10008.1.2.2', 'uncompressed'],
    ['1.2.840.10008.1.2.5', 'rle'],
    ['1.2.840.10008.1.2.4.50', 'jpeg-baseline'],
    ['1.2.840.10008.1.2.4.57', 'jpeg-lossless'],
    ['1.2.840.10008.1.2.4.70', 'jpeg-lossless'],
    ['1.2.840.10008.1.2.4.81', 'jpeg-ls'],
    ['1.2.840.10008.1.2.4.91', 'jpeg2000'],
    ['1.2.840.10008.1.2.4.203', 'htj2k'],
  ])('%s decodes with %s', (uid, family) => {
    expect(requireDecodableTransferSyntax(uid).family).toBe(family);
  });

  it('refuses an unknown UID with DICOM_UNSUPPORTED_TRANSFER_SYNTAX naming it', () => {
    expect(() => requireDecodableTransferSyntax('1.2.3.4')).toThrow(
      expect.objectContaining({ code: 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX', message: expect.stringContaining('1.2.3.4') }),
    );
  });

  it('refuses a known but undecodable syntax, naming it and saying why', () => {
    expect(() => requireDecodableTransferSyntax('1.2.840.10008.1.2.4.100')).toThrow(/1\.2\.840\.10008\.1\.2\.4\.100 \(MPEG2 Main Profile \/ Main Level\) is not supported: video/);
  });

  it('names syntaxes, falling back to the UID', () => {
    expect(transferSyntaxName('1.2.840.10008.1.2.4.80')).toBe('JPEG-LS Lossless');
    expect(transferSyntaxName('1.9')).toBe('1.9');
    expect(findTransferSyntax('1.9')).toBeUndefined();
  });

  it('marks exactly the lossy syntaxes as lossy among the decodable ones', () => {
    const lossy = [...TRANSFER_SYNTAXES.values()].filter((t) => t.family !== 'unsupported' && t.lossy).map((t) => t.uid);
    expect(lossy.sort()).toEqual(['1.2.840.10008.1.2.4.203', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.91'].sort());
  });
});
