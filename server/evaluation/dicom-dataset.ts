import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAppError } from '@/lib/errors';
import { decodeCtSlice, parseDicom } from '@/server/dicom';
import type { EvalDataset, EvalSlice } from './eval-slice';
import type { LabelTable } from './rsna-labels';

/** Every file under `dir`, sorted, recursing into folders. */
async function* walk(dir: string): AsyncGenerator<string> {
  if (!(await stat(dir)).isDirectory()) {
    yield dir;
    return;
  }
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) yield* walk(join(dir, entry.name));
    else if (entry.isFile()) yield join(dir, entry.name);
  }
}

/**
 * A folder of DICOM files with an RSNA-format label table. Headers are read up front (to group
 * studies and order slices along their normal); pixels are decoded on demand through the same
 * decodeCtSlice the server uses. Files without a label row are evaluated with unknown truth, and
 * files that are not usable CT are reported as failures, never dropped.
 */
export async function readDicomDataset(dir: string, labels: LabelTable): Promise<EvalDataset> {
  const slices: EvalSlice[] = [];
  const failures: EvalDataset['failures'] = [];
  for await (const file of walk(dir)) {
    try {
      const { header } = parseDicom(await readFile(file), { headerOnly: true });
      const id = header.sopInstanceUid;
      const truth = labels.get(id) ?? { any: null, epidural: null, intraparenchymal: null, intraventricular: null, subarachnoid: null, subdural: null };
      slices.push({
        id,
        study: header.studyInstanceUid,
        position: positionAlongNormal(header.imagePositionPatient, header.imageOrientationPatient) ?? header.instanceNumber ?? 0,
        truth,
        loadHu: async () => (await decodeCtSlice(await readFile(file))).hu,
      });
    } catch (err) {
      failures.push({ id: file, code: isAppError(err) ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { slices, failures };
}

/** Position of a slice along the normal of its own orientation: the ordering DICOM geometry defines. */
function positionAlongNormal(ipp: readonly number[] | undefined, iop: readonly number[] | undefined): number | undefined {
  if (!ipp || !iop) return undefined;
  const [r0, r1, r2, c0, c1, c2] = iop as [number, number, number, number, number, number];
  const n = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  return ipp[0]! * n[0]! + ipp[1]! * n[1]! + ipp[2]! * n[2]!;
}
