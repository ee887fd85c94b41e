import { describe, expect, it } from 'vitest';
import { classifyUid, dicomUidSchema, DICOM_UID_INPUT_PATTERN, isSafeUid } from './dicom-uid';

describe('classifyUid', () => {
  it('accepts conformant UIDs', () => {
    expect(classifyUid('1.2.840.10008.5.1.4.1.1.2')).toBe('conformant');
    expect(classifyUid('2.25.0')).toBe('conformant');
    expect(classifyUid('1'.repeat(64))).toBe('conformant');
  });

  it('marks safe but non-conformant UIDs (RSNA 2019, leading zeros) as such', () => {
    expect(classifyUid('ID_0a1b2c3d4')).toBe('non-conformant');
    expect(classifyUid('ID-0A1B.2c_3')).toBe('non-conformant');
    expect(classifyUid('1.02.3')).toBe('non-conformant');
    expect(classifyUid('1.2.')).toBe('non-conformant');
    expect(classifyUid(`ID_${'a'.repeat(61)}`)).toBe('non-conformant');
  });

  it.each([
    ['empty', ''],
    ['65 characters', '1'.repeat(65)],
    ['65 safe characters', `ID_${'a'.repeat(62)}`],
    ['parent segment', '..'],
    ['current segment', '.'],
    ['leading dot', '.hidden'],
    ['leading dash (option injection)', '-rf'],
    ['leading underscore', '_x'],
    ['slash', '1.2/3'],
    ['traversal', '../../etc/passwd'],
    ['backslash', '1.2\\3'],
    ['percent-encoded dot', '%2e%2e'],
    ['percent-encoded slash', '1%2F2'],
    ['space', '1.2 3'],
    ['NUL', '1.2\u00003'],
    ['newline', '1.2\n'],
    ['non-ASCII letter', 'ID_é'],
    ['query', '1.2?x=1'],
    ['fragment', '1.2#x'],
    ['colon', 'C:x'],
  ])('refuses %s', (_name, value) => {
    expect(classifyUid(value)).toBe('unsafe');
    expect(isSafeUid(value)).toBe(false);
    expect(dicomUidSchema.safeParse(value).success).toBe(false);
  });

  it('the schema says what is allowed', () => {
    const r = dicomUidSchema.safeParse('../x');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/letters, digits/);
    expect(dicomUidSchema.parse('ID_0a1b2c3d4')).toBe('ID_0a1b2c3d4');
  });

  it('the HTML input pattern agrees with the rule', () => {
    const re = new RegExp(`^(?:${DICOM_UID_INPUT_PATTERN})$`, 'v');
    for (const v of ['1.2.3', 'ID_0a1b2c3d4', '1'.repeat(64)]) expect(re.test(v)).toBe(true);
    for (const v of ['..', '-x', '1/2', '1'.repeat(65), '%2e']) expect(re.test(v)).toBe(false);
  });
});
