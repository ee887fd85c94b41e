/**
 * npm run render -- <file or folder> [--out FILE.png] [--window L/W] [--tile PX] [--columns N]
 *                    [--model MANIFEST.json [--label any|epidural|...] [--opacity 0..1]]
 *
 * Writes a windowed PNG for people to look at: one DICOM slice at full size, or a contact sheet
 * of a folder's series ordered inferior to superior by slice position (scouts set aside). The
 * window defaults to brain (level 40, width 80). With `--model`, every slice goes through that
 * model as the server runs it (its preprocessing, neighbouring slices, ONNX on the CPU) and its
 * localisation map for `--label` is drawn over the slice in the study viewer's colours
 * (lib/evidence-heat.ts); the JSON then gives each slice's probability and map peak. Prints one
 * JSON line describing what it drew (no patient identifiers). Exit status: 0 written, 1 on a
 * DICOM, series or model error, 2 on usage.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from '../lib/errors';
import { decodePixels, parseDicom, toHounsfield, type DicomHeader, type HuImage } from '../server/dicom';
import { checkSeriesUsable } from '../server/dicom/check-series-usable';
import { AIR_HU, upsampleGrid } from '../lib/evidence-heat';
import { LABELS, type Label } from '../lib/labels';
import { buildContextTensor } from '../server/analysis/build-context-tensor';
import { InferenceEngine, type SliceInference } from '../server/inference';
import { composeRgbSheet, composeSheet, grayToRgb, overlayHeat, shrink, windowToGray, type GrayImage } from './lib/contact-sheet';
import { encodeGrayPng, encodeRgbPng } from './lib/png';
import { pino } from 'pino';

const USAGE =
  'usage: npm run render -- <DICOM file or folder> [--out FILE.png] [--window L/W] [--tile PX] [--columns N] [--model MANIFEST.json [--label ' +
  `${LABELS.join('|')}] [--opacity 0..1]]`;

interface Options {
  input: string;
  out: string;
  level: number;
  width: number;
  /** Longest side of each tile; undefined draws a single slice at full size. */
  tile: number | undefined;
  columns: number | undefined;
  model: { manifest: string; label: Label; opacity: number } | undefined;
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
      model: { type: 'string' },
      label: { type: 'string', default: 'any' },
      opacity: { type: 'string', default: '0.6' },
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
  if (!(LABELS as readonly string[]).includes(values.label)) throw new UsageError(`--label must be one of ${LABELS.join(', ')}; got ${values.label}`);
  const opacity = Number(values.opacity);
  if (!(opacity >= 0 && opacity <= 1)) throw new UsageError(`--opacity must be a number 0..1; got ${values.opacity}`);
  return {
    input: positionals[0]!,
    out: values.out,
    level: Number(match[1]),
    width: Number(match[2]),
    tile: count('tile', values.tile),
    columns: count('columns', values.columns),
    model: values.model === undefined ? undefined : { manifest: values.model, label: values.label as Label, opacity },
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
  const columns = opts.columns ?? Math.ceil(Math.sqrt(tiles.length));
  // The model's answer travels with the label and opacity it was asked for, so no branch below re-checks opts.model.
  const inferred = opts.model ? { ...opts.model, ...(await runModel(opts.model.manifest, ordered.map((s) => s.image))) } : undefined;
  let sheet: { width: number; height: number };
  if (inferred) {
    const { label, opacity } = inferred;
    const li = LABELS.indexOf(label);
    const rgbTiles = tiles.map((tile, k) => {
      const cam = inferred.results[k]!.cam;
      const image = ordered[k]!.image;
      if (!cam) return grayToRgb(tile); // a model without maps: the slice as it is
      const plane = cam.height * cam.width;
      const heat = upsampleGrid(cam.maps.subarray(li * plane, (li + 1) * plane), cam.height, cam.width, tile.height, tile.width);
      const air = (x: number, y: number) => {
        const row = Math.min(image.rows - 1, Math.floor(((y + 0.5) * image.rows) / tile.height));
        const col = Math.min(image.columns - 1, Math.floor(((x + 0.5) * image.columns) / tile.width));
        return image.hu[row * image.columns + col]! < AIR_HU;
      };
      return overlayHeat(tile, heat, opacity, air);
    });
    const rgb = composeRgbSheet(rgbTiles, columns);
    await writeFile(opts.out, encodeRgbPng(rgb.rgb, rgb.width, rgb.height));
    sheet = rgb;
  } else {
    const gray = composeSheet(tiles, columns);
    await writeFile(opts.out, encodeGrayPng(gray.gray, gray.width, gray.height));
    sheet = gray;
  }

  console.log(
    JSON.stringify({
      out: opts.out,
      width: sheet.width,
      height: sheet.height,
      window: { level: opts.level, width: opts.width },
      ...(inferred ? { model: inferred.model, label: inferred.label } : {}),
      slices: ordered.map((s, i) => ({ file: s.file, position: Number(series.ordered[i]!.position.toFixed(3)), ...(inferred ? modelFigures(inferred.results[i]!, inferred.label) : {}) })),
      tiltDeg: Number(series.tiltDeg.toFixed(2)),
      spacing: series.spacing,
      warnings: series.warnings.map((w) => w.code),
      skipped,
    }),
  );
  return 0;
}

/** Every slice of the series through the model as the server runs it: neighbours from the same order, one engine, CPU. */
async function runModel(manifestPath: string, images: readonly HuImage[]): Promise<{ model: string; results: SliceInference[] }> {
  const engine = await InferenceEngine.create({ manifestPath, providers: ['cpu'], maxBatch: 8, maxWaitMs: 2, intraOpThreads: 2, log: pino({ level: 'silent' }) });
  try {
    const spec = engine.manifest.preprocess;
    const results = await Promise.all(images.map((_, i) => engine.infer(buildContextTensor(spec, (offset) => images[i + offset]))));
    return { model: `${engine.manifest.name}@${engine.manifest.version}`, results };
  } finally {
    await engine.close();
  }
}

function modelFigures(r: SliceInference, label: Label): { probability: number; mapPeak?: { value: number; row: number; column: number } } {
  const probability = Number(r.probabilities[label].toFixed(4));
  if (!r.cam) return { probability };
  const plane = r.cam.height * r.cam.width;
  const map = r.cam.maps.subarray(LABELS.indexOf(label) * plane, (LABELS.indexOf(label) + 1) * plane);
  let at = 0;
  for (let i = 1; i < map.length; i++) if (map[i]! > map[at]!) at = i;
  // The peak as a fraction of the slice (row, column from the top left), comparable across map sizes.
  return { probability, mapPeak: { value: Number(map[at]!.toFixed(4)), row: Number(((Math.floor(at / r.cam.width) + 0.5) / r.cam.height).toFixed(3)), column: Number((((at % r.cam.width) + 0.5) / r.cam.width).toFixed(3)) } };
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
