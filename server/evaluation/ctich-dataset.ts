import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@/lib/errors';
import { LABELS, type Label } from '@/lib/labels';
import { runWasmDecoder } from '@/server/dicom/codecs/wasm-codec';
import { reconstructCtIchHu } from './ctich-hu';
import type { EvalDataset, EvalSlice } from './eval-slice';
import type { Truth } from './metrics';

/**
 * Reads the CT-ICH layout (PhysioNet doi:10.13026/w8q8-ky94): `labels.csv` with columns patient,
 * slice and one 0/1 column per subtype plus `any` (in its own order, mapped by name), and
 * `brain/PPP_SS.jpg` + `bone/PPP_SS.jpg`, the same slice in two windows. One patient = one study.
 */
export async function readCtIchDataset(dir: string): Promise<EvalDataset> {
  const csvPath = join(dir, 'labels.csv');
  if (!existsSync(csvPath)) throw new AppError('NOT_FOUND', `${csvPath} not found: --ctich needs a folder with labels.csv, brain/ and bone/`);
  const lines = (await readFile(csvPath, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const column = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new AppError('VALIDATION_FAILED', `${csvPath}: no "${name}" column (has ${header.join(', ')})`);
    return i;
  };
  const patientCol = column('patient');
  const sliceCol = column('slice');
  const labelCols = LABELS.map((l) => column(l));

  const slices: EvalSlice[] = [];
  const failures: EvalDataset['failures'] = [];
  for (const [n, line] of lines.slice(1).entries()) {
    const cells = line.split(',');
    const patient = Number(cells[patientCol]);
    const slice = Number(cells[sliceCol]);
    if (!Number.isInteger(patient) || !Number.isInteger(slice)) {
      failures.push({ id: `line ${n + 2}`, code: 'VALIDATION_FAILED', message: 'patient and slice must be integers' });
      continue;
    }
    const name = `${String(patient).padStart(3, '0')}_${String(slice).padStart(2, '0')}`;
    const brainPath = join(dir, 'brain', `${name}.jpg`);
    if (!existsSync(brainPath)) {
      failures.push({ id: name, code: 'NOT_FOUND', message: `brain/${name}.jpg is missing` });
      continue;
    }
    const bonePath = join(dir, 'bone', `${name}.jpg`);
    const truth = Object.fromEntries(LABELS.map((l, j) => [l, Number(cells[labelCols[j]!]) === 1 ? 1 : 0])) as Record<Label, Truth>;
    slices.push({
      id: name,
      study: String(patient).padStart(3, '0'),
      position: slice,
      truth,
      loadHu: async () => {
        const brain = await decodeGreyJpeg(brainPath);
        const bone = existsSync(bonePath) ? await decodeGreyJpeg(bonePath) : null;
        return reconstructCtIchHu(brain.grey, bone?.grey ?? null, brain.rows, brain.columns);
      },
    });
  }
  return { slices, failures };
}

/** 8-bit greyscale JPEG → pixels, with the same libjpeg-turbo build the DICOM path uses. */
async function decodeGreyJpeg(path: string): Promise<{ grey: Uint8Array; rows: number; columns: number }> {
  const { info, decoded } = await runWasmDecoder('jpegBaseline', await readFile(path), path);
  if (info.componentCount === 1) return { grey: decoded, rows: info.height, columns: info.width };
  // An RGB rendering of a grey image: take the first component.
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0; i < grey.length; i++) grey[i] = decoded[i * info.componentCount]!;
  return { grey, rows: info.height, columns: info.width };
}
