/**
 * Bad input beyond the cases parse-dicom.test.ts and decode-pixels.test.ts already name: every
 * way a file can be cut or corrupted ends in a typed AppError (or a correct decode), never a
 * string throw, a TypeError or a hang.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { buildDicom, ctElements, int16Bytes } from './__fixtures__/build-dicom';
import { FIXTURES } from './__fixtures__/patterns';
import { checkIsCt } from './check-is-ct';
import { decodePixels } from './decode-pixels';
import { toHounsfield } from './hounsfield';
import { parseDicom } from './parse-dicom';

const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

/** Parses, decodes every frame to HU: 'ok' or the AppError code. Anything else fails the test. */
async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    const parsed = parseDicom(bytes);
    // At least frame 0, so a NumberOfFrames of 0 or -1 still meets the pixel checks.
    for (let f = 0; f < Math.max(1, Math.min(parsed.header.numberOfFrames, 4)); f++) toHounsfield(parsed.header, await decodePixels(parsed, f));
    return 'ok';
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw new Error(`untyped failure: ${err instanceof Error ? `${err.name}: ${err.message}` : `${typeof err} ${String(err)}`}`, { cause: err });
  }
}

/** A deterministic stream of 31-bit numbers (LCG), so a failing case can be replayed. */
function* lcg(seed: number): Generator<number> {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) % 2147483648;
    yield s;
  }
}

describe('bad input: truncation', () => {
  it('DICOM_TRUNCATED, not a string throw, for an implicit VR file cut inside an element value', async () => {
    // dicom-parser does not bounds-check implicit VR values; 418 bytes ends inside SOPInstanceUID.
    const cut = fixture('ct-s16-implicit.dcm').subarray(0, 418);

    expect(await outcome(cut)).toBe('DICOM_TRUNCATED');
  });

  it.each(['ct-s16.dcm', 'ct-s16-implicit.dcm', 'ct-s16-big-endian.dcm'])('%s cut at every byte of its header ends in a typed error', async (name) => {
    // Arrange: the header is the first (length - pixel bytes); past it every cut is the same case.
    const whole = fixture(name);
    const headerEnd = whole.length - 64 * 64 * 2;
    const seen = new Set<string>();

    // Act
    for (let n = 0; n < headerEnd + 16; n++) seen.add(await outcome(whole.subarray(0, n)));

    // Assert: only the codes a cut file can honestly produce
    expect([...seen].every((c) => ['DICOM_NOT_DICOM', 'DICOM_TRUNCATED', 'DICOM_MISSING_ATTRIBUTE', 'DICOM_MISSING_PIXEL_DATA'].includes(c))).toBe(true);
    expect(seen).toContain('DICOM_TRUNCATED');
  });
});

describe('bad input: corruption', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.dcm'));

  it.each(fixtures)('%s with 4 random bytes overwritten, 60 times, decodes or fails typed', async (name) => {
    const whole = fixture(name);
    const rand = lcg(name.length * 7919);
    const codes = new Set<string>();

    for (let k = 0; k < 60; k++) {
      const bytes = whole.slice();
      // Half the time in the first 1200 bytes (header, codestream header), half anywhere.
      const span = k % 2 === 0 ? Math.min(whole.length, 1200) : whole.length;
      for (let j = 0; j < 4; j++) bytes[rand.next().value! % span] = rand.next().value! & 0xff;
      codes.add(await outcome(bytes));
    }

    expect([...codes].every((c) => c === 'ok' || c.startsWith('DICOM_'))).toBe(true);
  });

  it.each([
    ['ct-s16-j2k.dcm', 'JPEG 2000'],
    ['ct-s16-htj2k.dcm', 'HTJ2K'],
  ])('%s whose SIZ claims a subsampled component fails fast (%s: OpenJPH used to loop forever, OpenJPEG returned garbage)', async (name) => {
    // Arrange: YRsiz is byte 44 of the codestream (SOC, SIZ, Lsiz, Rsiz, 8 x 32-bit sizes, Csiz, Ssiz, XRsiz)
    const bytes = fixture(name);
    const soc = Buffer.from(bytes).indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
    bytes[soc + 44] = 2;

    // Act + Assert
    const err = decodePixels(parseDicom(bytes));
    await expect(err).rejects.toMatchObject({ code: 'DICOM_DECODE_FAILED' });
    await expect(err).rejects.toThrow('subsamples');
  }, 5_000);

  it('DICOM_DECODE_FAILED for a deflate stream with corrupt bytes', () => {
    const bytes = fixture('ct-s16-deflate.dcm');
    bytes.fill(0xff, 400, 440);

    let code = 'ok';
    try {
      parseDicom(bytes);
    } catch (err) {
      code = isAppError(err) ? err.code : 'untyped';
    }

    expect(['DICOM_DECODE_FAILED', 'DICOM_TRUNCATED', 'DICOM_NOT_DICOM']).toContain(code);
  });
});

describe('bad input: header values', () => {
  it('DICOM_MISSING_ATTRIBUTE naming TransferSyntaxUID when the meta group lacks it', async () => {
    // Arrange: retag (0002,0010) as (0002,0012) in place; lengths stay valid.
    const bytes = fixture('ct-s16.dcm');
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49]));
    bytes[at + 2] = 0x12;

    // Act
    const err = (() => {
      try {
        parseDicom(bytes);
      } catch (e) {
        return e;
      }
    })();

    // Assert
    expect(err).toMatchObject({ code: 'DICOM_MISSING_ATTRIBUTE' });
    expect((err as Error).message).toContain('TransferSyntaxUID');
  });

  it.each([
    ['65535 x 65535 (the US maximum)', { rows: 65535, columns: 65535 }],
    ['NumberOfFrames 2147483647', { frames: 2147483647 }],
    ['NumberOfFrames -1', { frames: -1 }],
  ])('DICOM_ABSURD_DIMENSIONS for %s, before allocating anything', async (_what, opts) => {
    const bytes = buildDicom(ctElements({ ...opts, pixels: int16Bytes([1, 2, 3, 4]) }));

    await expect(outcome(bytes)).resolves.toBe('DICOM_ABSURD_DIMENSIONS');
  });

  it('an unparsable NumberOfFrames is a warning and reads as 1', async () => {
    const els = ctElements({ pixels: int16Bytes([1, 2, 3, 4]) });
    els.push([0x00280008, 'IS', 'abc']);
    const parsed = parseDicom(buildDicom(els));

    expect(parsed.header.numberOfFrames).toBe(1);
    expect(parsed.warnings.map((w) => w.code)).toContain('BAD_NUMBER');
    expect(Array.from((await decodePixels(parsed)).pixels)).toEqual([1, 2, 3, 4]);
  });

  it('DICOM_NOT_CT for a real MR file, which still parses and decodes for tools', async () => {
    const parsed = parseDicom(fixture('mr-u16.dcm'));

    expect(() => checkIsCt(parsed.header)).toThrow(expect.objectContaining({ code: 'DICOM_NOT_CT', message: 'modality MR is not CT' }));
    expect((await decodePixels(parsed)).pixels.length).toBe(parsed.header.rows * parsed.header.columns);
  });

  it('DICOM_NOT_CT for a file that only says "OT" (secondary capture) in Modality', () => {
    const { header } = parseDicom(buildDicom(ctElements({ modality: 'OT', pixels: int16Bytes([0, 0, 0, 0]) })));

    expect(() => checkIsCt(header)).toThrow(expect.objectContaining({ code: 'DICOM_NOT_CT' }));
  });

  it('a typed error for a DICM prefix followed by noise', async () => {
    const rand = lcg(11);
    const bytes = new Uint8Array(2000).map(() => rand.next().value! & 0xff);
    bytes.set([0x44, 0x49, 0x43, 0x4d], 128);

    expect(['DICOM_NOT_DICOM', 'DICOM_TRUNCATED', 'DICOM_MISSING_ATTRIBUTE']).toContain(await outcome(bytes));
  });
});
