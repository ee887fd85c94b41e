import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, describe, expect, it } from 'vitest';
import { SC_LABEL } from './sc-label';
import { buildKeySliceSc, SECONDARY_CAPTURE } from './build-key-slice-sc';
import { renderKeySlice } from './render-key-slice';

const DCMJ2PNM = spawnSync('dcmj2pnm', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ich-sc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 300×300 slice: air outside a disc of brain (35 HU), a bright patch (70 HU) on the left. */
function slice() {
  const n = 300;
  const values = new Float32Array(n * n).fill(-1000);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if ((x - 150) ** 2 + (y - 150) ** 2 < 120 ** 2) values[y * n + x] = x < 100 ? 70 : 35;
  return { rows: n, columns: n, values };
}
const at = (img: { columns: number; rgb: Uint8Array }, x: number, y: number) => [...img.rgb.subarray((y * img.columns + x) * 3, (y * img.columns + x) * 3 + 3)];

describe('the key slice as a secondary capture', () => {
  it('is windowed for brain, carries the evidence overlay and the burned-in label', () => {
    const map = { height: 2, width: 2, values: [0.5, 0, 0.5, 0] };
    const img = renderKeySlice(slice(), map, SC_LABEL);
    expect([img.rows, img.columns]).toEqual([300, 300]);
    // Brain window 40/80: 35 HU is mid-grey; air is black.
    expect(at(img, 290, 290)).toEqual([0, 0, 0]);
    const right = at(img, 240, 150);
    expect(right[0]).toBe(right[2]);
    expect(right[0]).toBeGreaterThan(100);
    expect(right[0]).toBeLessThan(130);
    // The left half lies under the map's hot column: the viewer's heat colour (0.5: red-orange).
    const left = at(img, 60, 150);
    expect(left[0]! - left[2]!).toBeGreaterThan(60);
    // Air gets no heat, as in the study view.
    expect(at(img, 5, 150)).toEqual([0, 0, 0]);
    // The label: white pixels in the black band at the top, nothing else there.
    const band = [...Array(11 * 300).keys()].map((i) => img.rgb[i * 3]!);
    expect(band.filter((v) => v === 255).length).toBeGreaterThan(200);
    expect(band.every((v) => v === 0 || v === 255)).toBe(true);
  });

  it('enlarges a small slice so the label fits', () => {
    const small = { rows: 64, columns: 64, values: new Float32Array(64 * 64).fill(40) };
    const img = renderKeySlice(small, undefined, SC_LABEL);
    expect([img.rows, img.columns]).toEqual([256, 256]);
    expect(() => renderKeySlice(small, undefined, 'AI research result — not for diagnosis')).toThrow(/no glyph for "—"/);
  });

  it('is a Secondary Capture Image in the study, derived from the key slice, that dcmtk can render', () => {
    const img = renderKeySlice(slice(), undefined, SC_LABEL);
    const source = { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '2.25.500.3', seriesInstanceUid: '2.25.500' };
    const bytes = buildKeySliceSc(
      { studyInstanceUid: '2.25.400', patientStudy: { PatientID: 'P-77', PatientName: 'Doe^Jane', Modality: 'CT' }, algorithm: { name: 'ich', version: '1.0.0' }, decidedAt: new Date('2026-12-01T10:20:30Z') },
      img,
      source,
      { seriesInstanceUid: '2.25.700', sopInstanceUid: '2.25.700.1', instanceNumber: 1 },
      { manufacturer: 'ich-triage', softwareVersion: '0.1.0', aeTitle: 'ICHTRIAGE' },
    );
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(bytes.slice().buffer).dict) as Record<string, unknown>;
    expect(ds.SOPClassUID).toBe(SECONDARY_CAPTURE);
    expect(ds.StudyInstanceUID).toBe('2.25.400');
    expect(ds.PatientID).toBe('P-77');
    expect(ds.Modality).toBe('OT');
    expect(ds.BurnedInAnnotation).toBe('YES');
    expect(ds.PhotometricInterpretation).toBe('RGB');
    expect(([ds.SourceImageSequence].flat()[0] as Record<string, unknown>).ReferencedSOPInstanceUID).toBe('2.25.500.3');
    if (!DCMJ2PNM) return;
    const file = join(dir, 'sc.dcm');
    writeFileSync(file, bytes);
    const out = join(dir, 'sc.ppm');
    const run = spawnSync('dcmj2pnm', ['+op', file, out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    // dcmtk's rendering is our pixels: a binary PPM header, then the RGB bytes as written.
    const ppm = readFileSync(out);
    expect(ppm.subarray(ppm.length - img.rgb.length).equals(Buffer.from(img.rgb))).toBe(true);
  });
});
