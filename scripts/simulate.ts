/**
 * npm run simulate -- --dir <folder> [--rate N/min] [--target AE@host:port] [--aet AE]
 * npm run simulate -- ... --target http://host:3000/dicomweb --token <API token (role integration)>
 * npm run simulate -- --phantoms N [--seed S] [--slices K] [--size PX] [--rate N/min] [--target ...]
 *
 * Replays a folder of DICOM files (recursive; grouped by StudyInstanceUID, one association per
 * study) or N generated phantom studies into a running server's DICOM listener, at N studies per
 * minute (default: as fast as possible). Prints one JSON line per study and a summary line.
 * Exit 0 when every instance was stored, 1 when any failed, 2 on a usage error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isAppError } from '../lib/errors';
import { CStoreClient, collectStudies, parseDimseTarget, PhantomGenerator, type CStoreResult } from '../server/demo';
import { StowClient } from '../server/demo/stow-client';
import { mixHemorrhage } from '../server/phantoms';

const USAGE =
  'usage: npm run simulate -- (--dir <folder> | --phantoms N [--seed S] [--slices K] [--size PX])\n' +
  '                           [--rate N/min] [--target AE@host:port | http(s)://host/dicomweb] [--aet CALLING_AE]\n' +
  '                           [--token TOKEN]   (STOW-RS: bearer token of a service account, see API_TOKENS)\n' +
  'default target ICHTRIAGE@localhost:11112, calling AE SIMULATE, rate: as fast as possible';

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) usage(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** One study to send: a label for the output line and a way to get its files' bytes. */
interface StudySource {
  studyInstanceUid: string | null;
  label: Record<string, unknown>;
  instances: number;
  load(): Promise<{ files: Uint8Array[]; names: string[]; studyInstanceUid?: string }>;
}

function failureLine(r: CStoreResult, names: readonly string[]) {
  return r.ok ? [] : [{ file: names[r.index], sopInstanceUid: r.sopInstanceUid, status: r.status, reason: r.reason }];
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string' },
        phantoms: { type: 'string' },
        seed: { type: 'string' },
        slices: { type: 'string' },
        size: { type: 'string' },
        rate: { type: 'string' },
        target: { type: 'string' },
        aet: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((values.dir === undefined) === (values.phantoms === undefined)) usage('give exactly one of --dir or --phantoms');
  const targetText = values.target ?? 'ICHTRIAGE@localhost:11112';
  const stow = /^https?:\/\//i.test(targetText);
  let target;
  if (!stow) {
    try {
      target = parseDimseTarget(targetText);
    } catch (err) {
      usage(isAppError(err) ? err.message : String(err));
    }
  }
  const rateText = values.rate?.replace(/\/min$/i, '');
  const rate = rateText === undefined ? undefined : Number(rateText);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) usage(`--rate must be a positive number of studies per minute, got "${values.rate}"`);
  const callingAeTitle = values.aet ?? 'SIMULATE';
  if (!/^[^\\]{1,16}$/.test(callingAeTitle)) usage('--aet must be 1-16 characters');

  const sources: StudySource[] = [];
  let skipped: string[] = [];
  const generator = new PhantomGenerator();
  if (values.dir !== undefined) {
    const folder = await collectStudies(values.dir).catch((err: unknown) => usage(`cannot read --dir ${values.dir}: ${(err as Error).message}`));
    skipped = folder.skipped;
    for (const study of folder.studies) {
      sources.push({
        studyInstanceUid: study.studyInstanceUid,
        label: {},
        instances: study.files.length,
        load: async () => ({ files: await Promise.all(study.files.map(async (f) => new Uint8Array(await readFile(f)))), names: study.files }),
      });
    }
  } else {
    const count = positiveInteger('phantoms', values.phantoms, 1);
    const firstSeed = positiveInteger('seed', values.seed, 1);
    const slices = positiveInteger('slices', values.slices, 32);
    const size = positiveInteger('size', values.size, 512);
    for (let i = 0; i < count; i++) {
      const seed = (firstSeed + i) >>> 0;
      const subtypes = mixHemorrhage(seed);
      sources.push({
        studyInstanceUid: null,
        label: { seed, subtypes },
        instances: slices,
        load: async () => {
          const study = await generator.generate({ seed, slices, size, hemorrhage: subtypes });
          return { files: study.slices, names: study.slices.map((_, k) => `phantom-${seed}-${k + 1}`), studyInstanceUid: study.studyInstanceUid };
        },
      });
    }
  }

  // http(s)://host/dicomweb → STOW-RS; AE@host:port → C-STORE. Both report per-file results.
  const client = stow ? new StowClient(targetText, { token: values.token }) : new CStoreClient({ ...target!, callingAeTitle });
  const started = performance.now();
  const totals = { studies: sources.length, instances: 0, stored: 0, failed: 0, studiesFailed: 0 };
  try {
    for (const [i, source] of sources.entries()) {
      if (rate !== undefined) {
        const due = started + (i * 60_000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const { files, names, studyInstanceUid } = await source.load();
      totals.instances += files.length;
      const line: Record<string, unknown> = { study: i + 1, ...source.label, studyInstanceUid: studyInstanceUid ?? source.studyInstanceUid, instances: files.length };
      try {
        const result = await client.send(files);
        totals.stored += result.sent;
        totals.failed += result.failed;
        if (result.failed > 0) totals.studiesFailed++;
        Object.assign(line, { stored: result.sent, failed: result.failed, ms: Math.round(result.ms), failures: result.results.flatMap((r) => failureLine(r, names)) });
      } catch (err) {
        totals.failed += files.length;
        totals.studiesFailed++;
        Object.assign(line, { stored: 0, failed: files.length, error: isAppError(err) ? err.toJSON() : { code: 'INTERNAL', message: String(err) } });
      }
      console.log(JSON.stringify(line));
    }
  } finally {
    await generator.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ summary: true, ...totals, skippedFiles: skipped.length, seconds: Math.round(seconds * 10) / 10, instancesPerSecond: Math.round((totals.stored / seconds) * 10) / 10 }));
  return totals.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(isAppError(err) ? JSON.stringify(err.toJSON()) : err);
    process.exit(1);
  },
);
