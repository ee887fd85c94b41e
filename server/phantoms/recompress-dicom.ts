import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '@/lib/errors';

const run = promisify(execFile);

export interface Recompression {
  /** Debian binary that does it: dcmtk (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls) or libgdcm-tools (gdcmconv). */
  tool: string;
  args: readonly string[];
  transferSyntaxUid: string;
  /** Largest |HU| difference after decoding; 0 = lossless, undefined = lossy without a hard bound. */
  maxError: number | undefined;
  /** Only for Bits Stored <= 12 (JPEG extended is a 12-bit process). */
  max12Bit?: boolean;
  /** Set when server/dicom refuses this on purpose: the typed error it gives instead of pixels. */
  decoderRefuses?: RegExp;
}

/**
 * Re-encodings of an Explicit VR Little Endian file into every transfer syntax a CT sender uses
 * that a Debian tool can write (HTJ2K has none; the dicom fixtures cover it). For tests and the CLI.
 */
export const RECOMPRESSIONS = {
  'implicit-le': { tool: 'dcmconv', args: ['+ti'], transferSyntaxUid: '1.2.840.10008.1.2', maxError: 0 },
  'big-endian': { tool: 'dcmconv', args: ['+tb'], transferSyntaxUid: '1.2.840.10008.1.2.2', maxError: 0 },
  deflate: { tool: 'dcmconv', args: ['+td'], transferSyntaxUid: '1.2.840.10008.1.2.1.99', maxError: 0 },
  rle: { tool: 'dcmcrle', args: [], transferSyntaxUid: '1.2.840.10008.1.2.5', maxError: 0 },
  'jpeg-lossless': { tool: 'dcmcjpeg', args: ['+el', '+sv', '6'], transferSyntaxUid: '1.2.840.10008.1.2.4.57', maxError: 0 },
  'jpeg-lossless-sv1': { tool: 'dcmcjpeg', args: ['+e1'], transferSyntaxUid: '1.2.840.10008.1.2.4.70', maxError: 0 },
  // +un keeps the SOP Instance UID (lossy tools otherwise mint a new one, as the standard asks).
  'jpeg-extended': { tool: 'dcmcjpeg', args: ['+ee', '+q', '95', '+un'], transferSyntaxUid: '1.2.840.10008.1.2.4.51', maxError: undefined, max12Bit: true, decoderRefuses: /12-bit samples is not supported/ },
  'jpeg-ls': { tool: 'dcmcjpls', args: ['+el'], transferSyntaxUid: '1.2.840.10008.1.2.4.80', maxError: 0 },
  // dcmcjpls refuses near-lossless on signed pixels; gdcm does it.
  'jpeg-ls-near': { tool: 'gdcmconv', args: ['--jpegls', '--lossy', '-e', '2'], transferSyntaxUid: '1.2.840.10008.1.2.4.81', maxError: 2 },
  j2k: { tool: 'gdcmconv', args: ['--j2k'], transferSyntaxUid: '1.2.840.10008.1.2.4.90', maxError: 0 },
  'j2k-lossy': { tool: 'gdcmconv', args: ['--j2k', '--lossy', '--irreversible', '-r', '10'], transferSyntaxUid: '1.2.840.10008.1.2.4.91', maxError: undefined },
} as const satisfies Record<string, Recompression>;

export type RecompressionName = keyof typeof RECOMPRESSIONS;

/** True when `tool` is an executable on PATH. */
export function hasTool(tool: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * Re-encodes one DICOM file with `name`'s tool and returns the new file. Throws AppError INTERNAL
 * naming the tool when it is missing or fails (its stderr in the message).
 */
export async function recompressDicom(bytes: Uint8Array, name: RecompressionName): Promise<Uint8Array> {
  const r: Recompression = RECOMPRESSIONS[name];
  if (!hasTool(r.tool)) throw new AppError('INTERNAL', `${name}: ${r.tool} not found on PATH (Debian: apt-get install dcmtk libgdcm-tools)`);
  const dir = await mkdtemp(join(tmpdir(), 'phantom-recompress-'));
  try {
    const input = join(dir, 'in.dcm');
    const output = join(dir, 'out.dcm');
    await writeFile(input, bytes);
    try {
      await run(r.tool, [...r.args, input, output], { maxBuffer: 1 << 20 });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new AppError('INTERNAL', `${name}: ${r.tool} failed: ${stderr.trim() || String(err)}`, undefined, { cause: err });
    }
    return new Uint8Array(await readFile(output));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
