/**
 * One real MR slice (a Siemens 6 x 6 mosaic of 64 x 64 tiles, 35 used) stored in nine transfer
 * syntaxes, checked against dcm2niix's NIfTI conversion of each (../shared/data, never committed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodePixels, parseDicom } from '@/server/dicom';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data', 'dicom', 'transfer-syntaxes');

interface Nifti {
  dims: number[];
  voxels: Int16Array | Uint16Array;
}

/** Reads a NIfTI-1 .nii (little-endian, int16 or uint16, no scaling) by its 348-byte header. */
function readNifti(path: string): Nifti {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getInt32(0, true)).toBe(348); // sizeof_hdr: also proves little-endian
  const rank = view.getInt16(40, true);
  const dims = Array.from({ length: rank }, (_, i) => view.getInt16(42 + 2 * i, true));
  const datatype = view.getInt16(70, true); // 4 = INT16, 512 = UINT16
  const voxOffset = view.getFloat32(108, true);
  const sclSlope = view.getFloat32(112, true);
  expect([0, 1]).toContain(sclSlope); // values are stored values, unscaled
  const count = dims.reduce((a, b) => a * b, 1);
  const data = bytes.slice(voxOffset, voxOffset + 2 * count); // a copy: aligned for the typed view
  if (datatype === 4) return { dims, voxels: new Int16Array(data.buffer, data.byteOffset, count) };
  if (datatype === 512) return { dims, voxels: new Uint16Array(data.buffer, data.byteOffset, count) };
  throw new Error(`unexpected NIfTI datatype ${datatype}`);
}

/**
 * dcm2niix's mapping, worked out from the files: NIfTI slice k is mosaic tile k (tiles row-major,
 * `columns / tileSize` per row), and within a tile NIfTI's row j is DICOM row (tileSize - 1 - j),
 * because NIfTI stores rows bottom-up. Columns are not flipped.
 */
function demosaic(pixels: ArrayLike<number>, columns: number, nifti: Nifti): number[] {
  const [nx, ny, nz] = nifti.dims as [number, number, number];
  const tilesPerRow = columns / nx;
  const out: number[] = [];
  for (let k = 0; k < nz; k++) {
    const tileRow = Math.floor(k / tilesPerRow);
    const tileCol = k % tilesPerRow;
    for (let j = 0; j < ny; j++) {
      const row = tileRow * ny + (ny - 1 - j);
      for (let i = 0; i < nx; i++) out.push(pixels[row * columns + tileCol * nx + i]!);
    }
  }
  return out;
}

describe.skipIf(!existsSync(DATA))('real data: one MR slice in nine transfer syntaxes (dcm_qa_ts)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('%i.dcm decodes to exactly the pixels of Ref/%i.nii', async (n) => {
    // Arrange
    const nifti = readNifti(join(DATA, 'Ref', `${n}.nii`));
    const sidecar = JSON.parse(readFileSync(join(DATA, 'Ref', `${n}.json`), 'utf8')) as {
      SeriesNumber: number;
      Modality: string;
      ImageOrientationPatientDICOM: number[];
    };

    // Act
    const parsed = parseDicom(readFileSync(join(DATA, `${n}.dcm`)));
    const { pixels } = await decodePixels(parsed);

    // Assert: the header agrees with dcm2niix's sidecar, the pixels with its volume, value for value
    const { header } = parsed;
    expect(header.seriesNumber).toBe(sidecar.SeriesNumber);
    expect(header.modality).toBe(sidecar.Modality);
    header.imageOrientationPatient!.forEach((v, i) => expect(v).toBeCloseTo(sidecar.ImageOrientationPatientDICOM[i]!, 5));
    expect(pixels).toBeInstanceOf(Uint16Array); // unsigned 12-bit in 16
    expect(demosaic(pixels, header.columns, nifti)).toEqual(Array.from(nifti.voxels));
  });

  it('6.dcm is really JPEG Lossless SV1 (made with gdcmconv --jpeg), whatever the README says', () => {
    const { header } = parseDicom(readFileSync(join(DATA, '6.dcm')), { headerOnly: true });

    expect(header.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.70');
  });
});
