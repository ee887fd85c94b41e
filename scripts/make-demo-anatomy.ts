/**
 * npx tsx scripts/make-demo-anatomy.ts [--from DIR]   (default DIR: ../shared/data/dicom/ge-head-ct)
 *
 * Rebuilds the demo's shipped real anatomy (server/phantoms/anatomy/ge-head-ct/) from the GE HiSpeed
 * head CT of dcm_qa_ct (BSD 2-Clause, Chris Rorden): every slice decoded by the project's own DICOM
 * stage to Hounsfield units, stored as one gzip'd little-endian Int16 volume (slices in
 * InstanceNumber order) plus `anatomy.json` with the geometry the demo writes back into its files.
 * No patient attribute of the source is kept. Deterministic: the same input gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { decodePixels, parseDicom, toHounsfield } from '../server/dicom';

const OUT = new URL('../server/phantoms/anatomy/ge-head-ct/', import.meta.url).pathname;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' } } });
  const from = values.from ?? new URL('../../shared/data/dicom/ge-head-ct/', import.meta.url).pathname;
  const files = readdirSync(from).filter((f) => f.endsWith('.dcm'));
  const slices = [];
  for (const file of files) {
    const parsed = parseDicom(readFileSync(join(from, file)));
    slices.push({ header: parsed.header, image: toHounsfield(parsed.header, await decodePixels(parsed)) });
  }
  slices.sort((a, b) => (a.header.instanceNumber ?? 0) - (b.header.instanceNumber ?? 0));
  const first = slices[0];
  if (first === undefined) throw new Error(`no .dcm files in ${from}`);
  const { rows, columns } = first.image;
  const volume = new Int16Array(slices.length * rows * columns);
  slices.forEach(({ image }, k) => {
    if (image.rows !== rows || image.columns !== columns) throw new Error('slices differ in size');
    for (let p = 0; p < image.hu.length; p++) volume[k * rows * columns + p] = Math.max(-1024, Math.min(32767, Math.round(image.hu[p]!)));
  });
  const raw = Buffer.from(volume.buffer);
  writeFileSync(join(OUT, 'volume.i16.gz'), gzipSync(raw, { level: 9 }));
  const meta = {
    source: 'dcm_qa_ct (github.com/neurolabusc/dcm_qa_ct), GE HiSpeed Dual head CT, Chris Rorden, BSD 2-Clause (LICENSE beside this file)',
    format: 'volume.i16.gz: gzip of little-endian Int16 Hounsfield units, slices x rows x columns, row-major; slice order as `slices`',
    rows,
    columns,
    pixelSpacing: first.header.pixelSpacing,
    imageOrientationPatient: first.header.imageOrientationPatient,
    gantryDetectorTilt: first.header.gantryDetectorTilt,
    sha256: createHash('sha256').update(raw).digest('hex'),
    slices: slices.map(({ header }) => ({ imagePositionPatient: header.imagePositionPatient, sliceThickness: header.sliceThickness })),
  };
  writeFileSync(join(OUT, 'anatomy.json'), JSON.stringify(meta, null, 2) + '\n');
  copyFileSync(join(from, 'LICENSE'), join(OUT, 'LICENSE'));
  console.error(`wrote ${slices.length} slices (${rows}x${columns}) to ${OUT}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
