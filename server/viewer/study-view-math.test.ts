// The study view's pure client logic (app/studies/[studyInstanceUid]); tested here because vitest
// collects tests from server/, lib/, scripts/ and test/ only.
import { describe, expect, it } from 'vitest';
import { plainReason } from '@/lib/plain-reason';
import { initialSliceIndex, viewingStack } from '@/app/studies/[studyInstanceUid]/slice-stack';
import { dragWindow, heatColour, maskHeatToBody, pinchView, pixelAt, placeImage, upsampleGrid, windowLut, zoomAbout } from '@/app/studies/[studyInstanceUid]/viewer-math';
import type { SliceResult, StudyDetail } from '@/lib/study-detail';

const at = (hu: number, lut: Uint8Array) => lut[hu + 32768];

describe('window lookup table', () => {
  it('maps the brain window 40/80 to black at ≤ 0 HU, white above 80 HU, mid-grey at the level', () => {
    const lut = windowLut({ center: 40, width: 80 });
    expect(at(-1000, lut)).toBe(0);
    expect(at(0, lut)).toBe(0);
    expect(Math.abs(at(40, lut)! - 128)).toBeLessThanOrEqual(1); // DICOM's formula centres on level - 0.5
    expect(at(80, lut)).toBe(255);
    expect(at(3000, lut)).toBe(255);
    // Monotone across the window.
    for (let hu = 0; hu < 80; hu++) expect(at(hu + 1, lut)!).toBeGreaterThanOrEqual(at(hu, lut)!);
  });

  it('a bone window keeps bone detail that the brain window saturates', () => {
    const bone = windowLut({ center: 600, width: 2800 });
    expect(at(700, bone)).toBeLessThan(at(1500, bone)!);
    expect(at(-800, bone)).toBe(0);
  });

  it('dragging right widens, down raises the level, never below width 1', () => {
    expect(dragWindow({ center: 40, width: 80 }, 10, 0).width).toBeGreaterThan(80);
    expect(dragWindow({ center: 40, width: 80 }, 0, 10).center).toBeGreaterThan(40);
    expect(dragWindow({ center: 40, width: 80 }, -10_000, 0).width).toBe(1);
  });
});

describe('placing the slice on the canvas', () => {
  const image = { rows: 512, columns: 512, pixelSpacing: [0.5, 0.5] as [number, number] };

  it('fits a square slice in a wide canvas, centred, and finds the pixel under the cursor', () => {
    const p = placeImage(1000, 500, image, { zoom: 1, panX: 0, panY: 0 });
    expect(p.scaleX).toBeCloseTo(500 / 512);
    expect(p.x0).toBeCloseTo(250);
    expect(p.y0).toBeCloseTo(0);
    expect(pixelAt(p, image, 500, 250)).toEqual({ row: 256, column: 256 });
    expect(pixelAt(p, image, 100, 250)).toBeNull();
  });

  it('honours non-square pixels (true aspect in mm)', () => {
    const p = placeImage(400, 400, { rows: 100, columns: 200, pixelSpacing: [2, 1] }, { zoom: 1, panX: 0, panY: 0 });
    expect(p.scaleY / p.scaleX).toBeCloseTo(2);
  });

  it('zooming keeps the point under the cursor in place', () => {
    const view = zoomAbout({ zoom: 1, panX: 0, panY: 0 }, 2, 300, 100, 400, 400);
    const before = pixelAt(placeImage(400, 400, image, { zoom: 1, panX: 0, panY: 0 }), image, 300, 100);
    const after = pixelAt(placeImage(400, 400, image, view), image, 300, 100);
    expect(view.zoom).toBe(2);
    expect(after).toEqual(before);
    expect(zoomAbout(view, 1000, 0, 0, 400, 400).zoom).toBe(16);
  });

  it('a pinch spreading two fingers apart zooms in, and moving them pans', () => {
    const start = { zoom: 1, panX: 0, panY: 0 };
    const spread = pinchView(start, { x: 150, y: 200 }, { x: 250, y: 200 }, { x: 100, y: 200 }, { x: 300, y: 200 }, 400, 400);
    expect(spread.zoom).toBeCloseTo(2);
    const moved = pinchView(start, { x: 150, y: 200 }, { x: 250, y: 200 }, { x: 160, y: 230 }, { x: 260, y: 230 }, 400, 400);
    expect(moved).toEqual({ zoom: 1, panX: 10, panY: 30 });
  });
});

describe('localization overlay', () => {
  it('upsamples a grid bilinearly: corners keep their cell values, the middle blends', () => {
    const out = upsampleGrid([0, 1, 0, 1], 2, 2, 4, 4);
    expect(out[0]).toBe(0);
    expect(out[3]).toBe(1);
    expect(out[1]! > 0 && out[1]! < 1).toBe(true);
  });

  it('is transparent where the model sees little and opaque, bright where it sees a lot', () => {
    expect(heatColour(0.1)[3]).toBe(0);
    expect(heatColour(0.9)[3]).toBe(255);
    expect(heatColour(0.9)[1]).toBeGreaterThan(heatColour(0.5)[1]);
  });

  it('draws no evidence over air: the coarse map is cut to the head', () => {
    // A 4 x 4 slice: left half air (-1000 HU), right half brain (30 HU); a 2 x 2 heat image over it.
    const hu = Int16Array.from({ length: 16 }, (_, i) => (i % 4 < 2 ? -1000 : 30));
    const rgba = new Uint8ClampedArray(2 * 2 * 4).fill(255);
    maskHeatToBody(rgba, 2, hu, 4, 4);
    expect([rgba[3], rgba[7], rgba[11], rgba[15]]).toEqual([0, 255, 0, 255]);
  });
});

describe('which slices and where the viewer opens', () => {
  const slice = (sop: string, series: string, any: number | null): SliceResult => ({
    sopInstanceUid: sop,
    seriesInstanceUid: series,
    instanceNumber: null,
    position: null,
    decodeStatus: 'decoded',
    error: null,
    probabilities: any === null ? null : { any, epidural: 0, intraparenchymal: 0, intraventricular: 0, subarachnoid: 0, subdural: 0 },
    hasLocalization: any !== null,
  });
  const stack = [slice('1.1', 'S', 0.1), slice('1.2', 'S', 0.9), slice('1.3', 'S', 0.4)];

  it('opens on the most suspicious slice, or the requested one, or the middle when nothing is scored', () => {
    expect(initialSliceIndex(stack, null)).toBe(1);
    expect(initialSliceIndex(stack, '1.3')).toBe(2);
    expect(initialSliceIndex(stack, '9.9')).toBe(1);
    expect(initialSliceIndex([slice('a', 'S', null), slice('b', 'S', null), slice('c', 'S', null)], null)).toBe(1);
    expect(initialSliceIndex([], null)).toBe(0);
  });

  it('scrolls through the chosen series only', () => {
    const detail = {
      series: [
        { seriesInstanceUid: 'S', chosen: true },
        { seriesInstanceUid: 'T', chosen: false },
      ],
      slices: [...stack, slice('2.1', 'T', null)],
    } as unknown as StudyDetail;
    expect(viewingStack(detail).map((s) => s.sopInstanceUid)).toEqual(['1.1', '1.2', '1.3']);
  });

  it('spells out problem codes for a reader', () => {
    expect(plainReason('2 slice(s) could not be decoded (DICOM_TRUNCATED)')).toBe('2 slice(s) could not be decoded (a file is cut short)');
    expect(plainReason('no usable axial series: SERIES_NOT_HEAD')).toBe('no usable axial series: not a head scan');
  });
});
