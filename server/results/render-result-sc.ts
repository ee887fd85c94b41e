import { isAppError } from '@/lib/errors';
import type { DbClient } from '@/server/db';
import type { DicomFileStore } from '@/server/files';
import { SliceViewer } from '@/server/viewer';
import type { ResultSoftware } from './build-ich-sr';
import { buildKeySliceSc } from './build-key-slice-sc';
import type { IchResult } from './ich-result';
import { renderKeySlice } from './render-key-slice';
import { SC_LABEL } from './sc-label';

/**
 * The "any" key slice as a Secondary Capture: the stored slice and the model's evidence map read
 * through the study view's own SliceViewer (same HU, same map), rendered and labelled. Undefined
 * when the result has no key slice. A slice without a map is drawn without the overlay.
 */
export async function renderResultSc(
  deps: { prisma: DbClient; files: DicomFileStore },
  result: IchResult,
  ids: { seriesInstanceUid: string; sopInstanceUid: string; instanceNumber: number },
  software: ResultSoftware,
): Promise<Uint8Array | undefined> {
  const key = result.keySlices.find((k) => k.label === 'any');
  if (!key) return undefined;
  // One slice, once per delivery: no cache worth keeping.
  const viewer = new SliceViewer(deps.prisma, deps.files, undefined, 1);
  const slice = await viewer.slice(result.studyInstanceUid, key.sopInstanceUid);
  const hu = new Int16Array(slice.body.buffer, slice.body.byteOffset, slice.body.byteLength / 2);
  let map: { height: number; width: number; values: number[] } | undefined;
  try {
    const loc = await viewer.localization(result.studyInstanceUid, key.sopInstanceUid);
    map = { height: loc.height, width: loc.width, values: loc.maps.any };
  } catch (err) {
    if (!isAppError(err) || err.code !== 'NOT_FOUND') throw err;
  }
  const image = renderKeySlice({ rows: slice.rows, columns: slice.columns, values: hu }, map, SC_LABEL);
  return buildKeySliceSc(result, image, key, ids, software);
}
