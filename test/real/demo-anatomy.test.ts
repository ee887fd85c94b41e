/**
 * The demo's shipped anatomy (server/phantoms/anatomy/ge-head-ct) is exactly the real GE head CT
 * of ../shared/data decoded by the project's own DICOM stage: no slice altered, reordered or
 * dropped, geometry as in the files (skipped when ../shared/data is absent).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodePixels, parseDicom, toHounsfield } from '@/server/dicom';
import { loadDemoAnatomy } from '@/server/phantoms';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data', 'dicom', 'ge-head-ct');

describe.skipIf(!existsSync(DATA))('real data: the demo anatomy is the GE head CT, unaltered', () => {
  it('matches every decoded slice value for value, in InstanceNumber order, with its geometry and licence', async () => {
    const anatomy = loadDemoAnatomy();
    const files = readdirSync(DATA).filter((f) => f.endsWith('.dcm'));
    const decoded = await Promise.all(
      files.map(async (f) => {
        const parsed = parseDicom(readFileSync(join(DATA, f)));
        return { header: parsed.header, image: toHounsfield(parsed.header, await decodePixels(parsed)) };
      }),
    );
    decoded.sort((a, b) => a.header.instanceNumber! - b.header.instanceNumber!);
    expect(anatomy.slices).toHaveLength(decoded.length);
    decoded.forEach(({ header, image }, k) => {
      const shipped = anatomy.slices[k]!;
      expect(shipped.imagePositionPatient).toEqual(header.imagePositionPatient);
      expect(shipped.sliceThickness).toBe(header.sliceThickness);
      let differing = 0;
      for (let p = 0; p < image.hu.length; p++) if (shipped.hu[p] !== Math.max(-1024, Math.round(image.hu[p]!))) differing++;
      expect(differing).toBe(0);
    });
    expect(anatomy.imageOrientationPatient).toEqual(decoded[0]!.header.imageOrientationPatient);
    expect(readFileSync(join(ROOT, 'server/phantoms/anatomy/ge-head-ct/LICENSE'), 'utf8')).toBe(readFileSync(join(DATA, 'LICENSE'), 'utf8'));
  }, 120_000);
});
