'use client';

import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { SliceResult } from '@/lib/study-detail';
import { formatPercent } from '../../worklist/format';
import { createScratch, drawSlice, heatField, type DrawScratch } from './draw-slice';
import { useElementSize } from './use-canvas-size';
import type { SliceStore } from './use-slice-images';
import { useViewerKeys } from './use-viewer-keys';
import { INITIAL_VIEW, WINDOW_PRESETS, dragWindow, pinchView, pixelAt, placeImage, windowLut, zoomAbout, type View, type Window } from './viewer-math';
import { ViewerToolbar, type OverlaySettings, type Tool } from './viewer-toolbar';
import { createWheelSlices } from './wheel-slices';

interface Props {
  store: SliceStore;
  stack: readonly SliceResult[];
  index: number;
  onIndexChange: (index: number) => void;
}

const BRAIN: Window = { center: WINDOW_PRESETS[0].center, width: WINDOW_PRESETS[0].width };
/** Neighbours fetched ahead on each side, so scrolling shows slices already in memory. */
const PREFETCH = 4;

type Point = { x: number; y: number };
type Drag = { mode: Tool; x: number; y: number; window: Window; view: View } | { mode: 'pinch'; a: Point; b: Point; view: View };

/**
 * The canvas slice viewer: HU from the server, windowed in the browser; scroll, window/level,
 * zoom, pan, the model's localisation overlay, and the HU under the cursor.
 */
export function SliceViewer({ store, stack, index, onIndexChange }: Props) {
  const [window, setWindow] = useState<Window>(BRAIN);
  const [view, setView] = useState<View>(INITIAL_VIEW);
  const [tool, setTool] = useState<Tool>('window');
  const [overlay, setOverlay] = useState<OverlaySettings>({ visible: true, opacity: 0.5, label: 'any' });
  const [cursor, setCursor] = useState<{ row: number; column: number } | null>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scratch = useRef<DrawScratch | null>(null);
  const drag = useRef<Drag | null>(null);
  /** Pointers down on the canvas (two make a pinch on a tablet). */
  const pointers = useRef(new Map<number, Point>());
  const wheelSlices = useRef(createWheelSlices());
  const size = useElementSize(containerRef);

  const slice = stack[index];
  const sop = slice?.sopInstanceUid;
  const loaded = sop ? store.image(sop) : undefined;
  const image = loaded?.state === 'ready' ? loaded.value : null;
  const map = sop ? store.localization(sop) : undefined;
  const localization = map?.state === 'ready' ? map.value : null;

  // The current slice first, then its neighbours outward.
  useEffect(() => {
    for (let d = 0; d <= PREFETCH; d++) {
      for (const i of d === 0 ? [index] : [index + d, index - d]) {
        const s = stack[i];
        if (s && s.decodeStatus !== 'failed') store.request(s.sopInstanceUid, s.hasLocalization);
      }
    }
  }, [store, stack, index]);

  const lut = useMemo(() => windowLut(window), [window]);
  const heat = useMemo(() => (localization ? heatField(localization.maps[overlay.label], localization.height, localization.width) : null), [localization, overlay.label]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !image || size.width === 0) return;
    const dpr = globalThis.devicePixelRatio || 1;
    if (canvas.width !== Math.round(size.width * dpr) || canvas.height !== Math.round(size.height * dpr)) {
      canvas.width = Math.round(size.width * dpr);
      canvas.height = Math.round(size.height * dpr);
    }
    scratch.current ??= createScratch();
    drawSlice(ctx, scratch.current, { image, lut, view, heat: overlay.visible ? heat : null, opacity: overlay.opacity, dpr });
  }, [image, lut, view, heat, overlay.visible, overlay.opacity, size]);

  const go = (i: number) => onIndexChange(Math.min(stack.length - 1, Math.max(0, i)));
  const zoomCentre = (factor: number) => setView((v) => zoomAbout(v, factor, size.width / 2, size.height / 2, size.width, size.height));
  const reset = () => {
    setView(INITIAL_VIEW);
    setWindow(BRAIN);
  };
  const preset = (key: string) => {
    const p = WINDOW_PRESETS.find((w) => w.key === key);
    if (p) setWindow({ center: p.center, width: p.width });
    return Boolean(p);
  };
  const overlayAvailable = Boolean(slice?.hasLocalization);
  useViewerKeys(containerRef, {
    step: (d) => go(index + d),
    jump: (to) => go(to === 'first' ? 0 : stack.length - 1),
    preset,
    toggleOverlay: () => setOverlay((o) => ({ ...o, visible: !o.visible })),
    reset,
    zoom: zoomCentre,
  });

  // Wheel needs a non-passive listener to keep the page from scrolling under the image.
  const onWheel = useRef<(e: WheelEvent) => void>(() => {});
  useEffect(() => {
    onWheel.current = (e: WheelEvent) => {
      e.preventDefault();
      const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
      const delta = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
      if (e.ctrlKey || e.metaKey) {
        setView((v) => zoomAbout(v, Math.exp(-delta / 500), e.clientX - rect.left, e.clientY - rect.top, rect.width, rect.height));
        return;
      }
      const steps = wheelSlices.current({ deltaY: e.deltaY, deltaMode: e.deltaMode, time: e.timeStamp });
      if (steps !== 0) {
        onIndexChange(Math.min(stack.length - 1, Math.max(0, index + steps)));
      }
    };
  });
  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const handler = (e: WheelEvent) => onWheel.current(e);
    el.addEventListener('wheel', handler, { passive: false });
    return () => el.removeEventListener('wheel', handler);
  }, []);

  const local = (e: ReactPointerEvent) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };
  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const { x, y } = local(e);
    pointers.current.set(e.pointerId, { x, y });
    const [a, b] = [...pointers.current.values()];
    if (a && b) {
      drag.current = { mode: 'pinch', a, b, view };
      return;
    }
    const mode: Tool = e.button === 1 || e.shiftKey ? 'pan' : e.button === 2 || e.ctrlKey ? 'zoom' : tool;
    drag.current = { mode, x, y, window, view };
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const { x, y } = local(e);
    if (image) setCursor(pixelAt(placeImage(size.width, size.height, image, view), image, x, y));
    if (pointers.current.has(e.pointerId)) pointers.current.set(e.pointerId, { x, y });
    const d = drag.current;
    if (!d) return;
    if (d.mode === 'pinch') {
      const [a, b] = [...pointers.current.values()];
      if (a && b) setView(pinchView(d.view, d.a, d.b, a, b, size.width, size.height));
      return;
    }
    const dx = x - d.x;
    const dy = y - d.y;
    if (d.mode === 'window') setWindow(dragWindow(d.window, dx, dy));
    else if (d.mode === 'pan') setView({ ...d.view, panX: d.view.panX + dx, panY: d.view.panY + dy });
    else setView(zoomAbout(d.view, Math.exp(-dy / 150), d.x, d.y, size.width, size.height));
  };
  const endDrag = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    pointers.current.delete(e.pointerId);
    drag.current = null;
  };

  const activePreset = WINDOW_PRESETS.find((w) => w.center === window.center && w.width === window.width);
  const huAtCursor = image && cursor ? image.hu[cursor.row * image.columns + cursor.column] : undefined;
  const failed = slice?.decodeStatus === 'failed' ? slice.error : loaded?.state === 'error' ? { code: '', message: loaded.message } : null;
  const evidence = overlay.visible && overlayAvailable ? (localization ? 'on' : 'loading') : 'off';

  return (
    <div className="flex flex-col gap-3">
      <ViewerToolbar
        window={window}
        onPreset={preset}
        tool={tool}
        onTool={setTool}
        onZoom={zoomCentre}
        onReset={reset}
        overlay={overlay}
        overlayAvailable={overlayAvailable}
        onOverlay={setOverlay}
      />
      <div
        ref={containerRef}
        tabIndex={0}
        className="relative aspect-square w-full max-h-[78vh] overflow-hidden rounded-md border border-edge bg-black outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        role="group"
        aria-roledescription="slice viewer"
        aria-label={`Slice ${index + 1} of ${stack.length}. Arrow keys or wheel scroll, 1 2 3 window presets, O toggles the model evidence.`}
        data-testid="slice-viewer"
        data-sop={sop ?? ''}
        data-index={index}
        data-window={`${window.center}/${window.width}`}
        data-overlay={evidence}
        data-ready={image ? 'true' : 'false'}
      >
        <canvas
          ref={canvasRef}
          className={`absolute inset-0 h-full w-full touch-none ${failed ? 'invisible' : ''}`}
          style={{ cursor: tool === 'pan' ? 'grab' : 'crosshair' }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
          onPointerLeave={() => setCursor(null)}
          onContextMenu={(e) => e.preventDefault()}
          data-testid="slice-canvas"
        />
        <div className="pointer-events-none absolute inset-x-0 top-0 flex justify-between p-2 font-mono text-xs text-ink [text-shadow:0_0_3px_#000]">
          <div data-testid="slice-info">
            <div className="text-sm">
              Slice {index + 1} / {stack.length}
            </div>
            {slice?.position != null && <div>z {slice.position.toFixed(1)} mm</div>}
            {slice?.probabilities && (
              <div className={slice.probabilities.any >= 0.5 ? 'text-alert' : ''}>any {formatPercent(slice.probabilities.any)}</div>
            )}
          </div>
          <div className="text-right" data-testid="window-info">
            <div>
              W {window.width} L {window.center}
            </div>
            <div className="text-muted">{activePreset?.name ?? 'custom'}</div>
            {view.zoom !== 1 && <div>{view.zoom.toFixed(1)}×</div>}
          </div>
        </div>
        <div className="pointer-events-none absolute inset-x-0 bottom-0 flex justify-between p-2 font-mono text-xs text-ink [text-shadow:0_0_3px_#000]">
          <div data-testid="hu-readout">{huAtCursor !== undefined && cursor ? `${huAtCursor} HU  (${cursor.column}, ${cursor.row})` : ''}</div>
          <div>{evidence === 'on' ? `evidence: ${overlay.label}` : evidence === 'loading' ? 'evidence loading…' : ''}</div>
        </div>
        {failed ? (
          <p className="absolute inset-0 flex items-center justify-center p-6 text-center text-amber-300" role="alert">
            This slice cannot be shown: {failed.message}
            {failed.code ? ` (${failed.code})` : ''}
          </p>
        ) : (
          !image && <p className="absolute inset-0 flex items-center justify-center text-muted">Loading slice…</p>
        )}
      </div>
      <label className="flex items-center gap-3 text-sm">
        <span className="text-muted">Slice</span>
        <input
          type="range"
          min={1}
          max={Math.max(1, stack.length)}
          value={index + 1}
          onChange={(e) => go(Number(e.target.value) - 1)}
          className="w-full accent-sky-400"
          aria-label="Slice"
          aria-valuetext={`Slice ${index + 1} of ${stack.length}`}
        />
      </label>
    </div>
  );
}
