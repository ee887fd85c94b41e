/**
 * npm run render -- <file or folder> [--out FILE.png] [--window L/W] [--tile PX] [--columns N]
 *
 * Writes a windowed PNG for people to look at: one DICOM slice at full size, or a contact sheet
 * of a folder's series ordered inferior to superior by slice position (scouts set aside). The
 * window defaults to brain (level 40, width 80). Prints one JSON line describing what it drew
 * (no patient identifiers). Exit status: 0 written, 1 on a DICOM or series error, 2 on usage.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from '../lib/errors';
import { decodePixels, parseDicom, toHounsfield, type DicomHeader, type HuImage } from '../server/dicom';
import { checkSeriesUsable } from '../server/dicom/check-series-usable';
import { composeSheet, shrink, windowToGray, type GrayImage } from './lib/contact-sheet';
import { encodeGrayPng } from './lib/png';

const USAGE = 'usage: npm run render -- <DICOM file or folder> [--out FILE.png] [--window L/W] [--tile PX] [--columns N]';

interface Options {
  input: string;
  out: string;
  level: number;
  width: number;
  /** Longest side of each tile; undefined draws a single slice at full size. */
  tile: number | undefined;
  columns: number | undefined;
}

class UsageError extends Error {}

function readOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'render.png' },
      window: { type: 'string', default: '40/80' },
      tile: { type: 'string' },
      columns: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError('give exactly one file or folder');
  const match = /^(-?\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(values.window);
  if (!match || Number(match[2]) <= 0) throw new UsageError(`--window must be LEVEL/WIDTH with WIDTH > 0, e.g. 40/80; got ${values.window}`);
  const count = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 4096) throw new UsageError(`--${name} must be an integer 1..4096; got ${v}`);
    return n;
  };
  return {
    input: positionals[0]!,
    out: values.out,
    level: Number(match[1]),
    width: Number(match[2]),
    tile: count('tile', values.tile),
    columns: count('columns', values.columns),
  };
}

interface Slice {
  file: string;
  header: DicomHeader;
  image: HuImage;
}

async function readSlice(file: string): Promise<Slice> {
  const parsed = parseDicom(await readFile(file));
  return { file, header: parsed.header, image: toHounsfield(parsed.header, await decodePixels(parsed)) };
}

async function main(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    opts = readOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err; // parseArgs throws TypeError
    if (err.message === '') {
      console.log(USAGE); // --help
      return 0;
    }
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }

  const isFolder = (await stat(opts.input)).isDirectory();
  const files = isFolder ? (await readdir(opts.input)).sort().map((f) => join(opts.input, f)) : [opts.input];
  const slices: Slice[] = [];
  const skipped: { file: string; code: string }[] = [];
  for (const file of files) {
    try {
      slices.push(await readSlice(file));
    } catch (err) {
      // A folder may hold non-DICOM files (README, LICENSE): skip and say so; a lone file fails.
      if (!isAppError(err) || !isFolder) throw err;
      skipped.push({ file, code: err.code });
    }
  }

  const series = checkSeriesUsable(slices.map((s) => ({ ...s.header, slice: s })));
  const ordered = series.ordered.map((o) => o.slice.slice);
  const tiles: GrayImage[] = ordered.map((s) => {
    const img = windowToGray(s.image.hu, s.image.columns, s.image.rows, opts.level, opts.width);
    return opts.tile !== undefined || ordered.length > 1 ? shrink(img, opts.tile ?? 256) : img;
  });
  const sheet = composeSheet(tiles, opts.columns ?? Math.ceil(Math.sqrt(tiles.length)));
  await writeFile(opts.out, encodeGrayPng(sheet.gray, sheet.width, sheet.height));

  console.log(
    JSON.stringify({
      out: opts.out,
      width: sheet.width,
      height: sheet.height,
      window: { level: opts.level, width: opts.width },
      slices: ordered.map((s, i) => ({ file: s.file, position: Number(series.ordered[i]!.position.toFixed(3)) })),
      tiltDeg: Number(series.tiltDeg.toFixed(2)),
      spacing: series.spacing,
      warnings: series.warnings.map((w) => w.code),
      skipped,
    }),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isAppError(err)) {
      console.error(JSON.stringify({ error: err.toJSON() }));
      process.exitCode = 1;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
