import { readFile } from 'node:fs/promises';
import { isAppError } from '@/lib/errors';
import { decodeCtSlice, parseDicom } from '@/server/dicom';
import { positionAlongNormal } from '@/server/dicom/slice-geometry';
import { walkFiles } from '@/server/files';
import type { EvalDataset, EvalSlice } from './eval-slice';
import type { LabelTable } from './rsna-labels';

/**
 * A folder of DICOM files with an RSNA-format label table. Headers are read up front (to group
 * studies and order slices along their normal); pixels are decoded on demand through the same
 * decodeCtSlice the server uses. Files without a label row are evaluated with unknown truth, and
 * files that are not usable CT are reported as failures, never dropped.
 */
export async function readDicomDataset(dir: string, labels: LabelTable): Promise<EvalDataset> {
  const slices: EvalSlice[] = [];
  const failures: EvalDataset['failures'] = [];
  for await (const file of walkFiles(dir)) {
    try {
      const { header } = parseDicom(await readFile(file), { headerOnly: true });
      const id = header.sopInstanceUid;
      const truth = labels.get(id) ?? { any: null, epidural: null, intraparenchymal: null, intraventricular: null, subarachnoid: null, subdural: null };
      slices.push({
        id,
        study: header.studyInstanceUid,
        position: positionAlongNormal(header) ?? header.instanceNumber ?? 0,
        truth,
        loadHu: async () => (await decodeCtSlice(await readFile(file))).hu,
      });
    } catch (err) {
      failures.push({ id: file, code: isAppError(err) ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { slices, failures };
}
