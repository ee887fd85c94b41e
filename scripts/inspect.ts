/**
 * npm run inspect -- <files or folders>
 *
 * Prints one JSON line per file (folders are walked recursively, in sorted order): its UIDs,
 * transfer syntax, modality, size and HU range, or the typed error that stopped it. Never prints
 * patient identifiers. Exit status: 0 when every file decoded to HU, 1 when any failed, 2 on a
 * usage error.
 */
import { readFile } from 'node:fs/promises';
import { isAppError } from '../lib/errors';
import { walkFiles } from '../server/files/walk-files';
import { checkIsCt, decodePixels, parseDicom, toHounsfield, type DicomHeader, type StoredArray } from '../server/dicom';

interface Line {
  file: string;
  ok: boolean;
  sopInstanceUid: string | null;
  transferSyntax: string | null;
  modality: string | null;
  rows: number | null;
  columns: number | null;
  huMin: number | null;
  huMax: number | null;
  error: { code: string; message: string } | null;
  /** Codes of non-fatal oddities (e.g. RSNA_12BIT_CORRECTED); codes only, as messages hold values. */
  warnings: string[];
}

const USAGE = 'usage: npm run inspect -- <DICOM files or folders>...';

function describeHeader(line: Line, h: DicomHeader): void {
  line.sopInstanceUid = h.sopInstanceUid;
  line.transferSyntax = h.transferSyntaxUid;
  line.modality = h.modality ?? null;
  line.rows = h.rows;
  line.columns = h.columns;
}

/** Reads, parses, decodes every frame to HU and reports; never throws. */
async function inspectFile(file: string): Promise<Line> {
  const line: Line = {
    file,
    ok: false,
    sopInstanceUid: null,
    transferSyntax: null,
    modality: null,
    rows: null,
    columns: null,
    huMin: null,
    huMax: null,
    error: null,
    warnings: [],
  };
  try {
    const parsed = parseDicom(await readFile(file));
    describeHeader(line, parsed.header);
    checkIsCt(parsed.header);
    let min = Infinity;
    let max = -Infinity;
    let stored: StoredArray | undefined;
    let hu: Float32Array | undefined;
    for (let f = 0; f < parsed.header.numberOfFrames; f++) {
      const frame = await decodePixels(parsed, f, stored);
      const image = toHounsfield(parsed.header, frame, hu, f === 0 ? { warnings: parsed.warnings } : {});
      ({ pixels: stored } = frame);
      hu = image.hu;
      for (let i = 0; i < hu.length; i++) {
        const v = hu[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    line.warnings = [...new Set(parsed.warnings.map((w) => w.code))];
    line.huMin = min;
    line.huMax = max;
    line.ok = true;
  } catch (err) {
    line.error = isAppError(err)
      ? err.toJSON()
      : { code: 'INTERNAL', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  return line;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const bad = args.find((a) => a.startsWith('-'));
  if (args.length === 0 || bad !== undefined) {
    console.error(bad === undefined ? USAGE : `unknown option ${bad}\n${USAGE}`);
    return 2;
  }
  let failed = false;
  for (const arg of args) {
    try {
      for await (const file of walkFiles(arg)) {
        const line = await inspectFile(file);
        failed ||= !line.ok;
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
    } catch (err) {
      // The path itself could not be read (missing, no permission): one line for it.
      failed = true;
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      process.stdout.write(`${JSON.stringify({ file: arg, ok: false, error: { code, message } })}\n`);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
