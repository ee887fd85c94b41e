/**
 * npm run phantoms -- --out DIR [--studies N] [--seed S] [--kind demo|cartoon] [--subtype mix|normal|epidural,...]
 *                     [--slices K] [--size PX] [--thickness MM] [--format int16|int16-hu|uint12|uint12-rsna]
 *
 * Writes deterministic head-CT studies as DICOM (one folder per study), `truth.csv` (RSNA format:
 * `<SOPInstanceUID>_<label>,<0|1>`) and `studies.csv` (study-level labels). Study i uses seed S + i.
 * `--kind demo` (default): the shipped real head CT with synthetic bleeds (40% of a mix), truth from
 * the synthesis mask; `--slices` takes a run of its 28 slices, `--thickness`/`--format` do not apply.
 * `--kind cartoon`: the drawn phantom of the pipeline tests (60% bleeds in a mix).
 * Prints one JSON line per study. Exit 0 on success, 2 on a usage error, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { isAppError } from '../lib/errors';
import { SUBTYPES } from '../lib/labels';
import { PHANTOM_KINDS, writePhantomStudies, type PhantomKind, type PhantomMix, type PixelFormat, type Subtype } from '../server/phantoms';

const USAGE =
  'usage: npm run phantoms -- --out DIR [--studies N] [--seed S] [--kind demo|cartoon] [--subtype mix|normal|' +
  `${SUBTYPES.join('|')}[,...]] [--slices K] [--size PX] [--thickness MM] [--format int16|int16-hu|uint12|uint12-rsna]`;
const FORMATS: readonly PixelFormat[] = ['int16', 'int16-hu', 'uint12', 'uint12-rsna'];

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) usage(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function mixOf(value: string): PhantomMix {
  if (value === 'mix' || value === 'normal') return value;
  const list = value.split(',').map((s) => s.trim());
  for (const s of list) if (!(SUBTYPES as readonly string[]).includes(s)) usage(`unknown --subtype "${s}"`);
  return list as Subtype[];
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string' },
        studies: { type: 'string' },
        seed: { type: 'string' },
        subtype: { type: 'string' },
        kind: { type: 'string' },
        mix: { type: 'boolean' },
        slices: { type: 'string' },
        size: { type: 'string' },
        thickness: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.out === undefined) usage('--out is required');
  const kind = values.kind ?? 'demo';
  if (!(PHANTOM_KINDS as readonly string[]).includes(kind)) usage(`unknown --kind "${kind}"; expected ${PHANTOM_KINDS.join(' or ')}`);
  if (kind === 'demo' && (values.format !== undefined || values.thickness !== undefined)) usage('--format and --thickness apply to --kind cartoon only (the demo keeps its real scan\'s)');
  const format = values.format ?? 'int16';
  if (!(FORMATS as readonly string[]).includes(format)) usage(`unknown --format "${format}"`);
  const thickness = values.thickness === undefined ? undefined : Number(values.thickness);
  if (thickness !== undefined && !Number.isFinite(thickness)) usage(`--thickness must be a number, got "${values.thickness}"`);

  const started = performance.now();
  const written = await writePhantomStudies({
    outDir: values.out,
    studies: integer('studies', values.studies, 1)!,
    seed: integer('seed', values.seed, 1)!,
    subtype: values.mix ? 'mix' : mixOf(values.subtype ?? 'mix'),
    kind: kind as PhantomKind,
    slices: integer('slices', values.slices, undefined),
    size: integer('size', values.size, undefined),
    sliceThickness: thickness,
    pixelFormat: format as PixelFormat,
  });
  for (const w of written) console.log(JSON.stringify(w));
  const slices = written.reduce((n, w) => n + w.slices, 0);
  const ms = performance.now() - started;
  console.error(`wrote ${written.length} studies, ${slices} slices to ${values.out} in ${(ms / 1000).toFixed(1)} s (${(ms / slices).toFixed(1)} ms/slice)`);
}

main().catch((err: unknown) => {
  console.error(isAppError(err) ? JSON.stringify(err.toJSON()) : err);
  process.exit(1);
});
