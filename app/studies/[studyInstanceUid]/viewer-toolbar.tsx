'use client';

import { LABELS, type Label } from '@/lib/labels';
import { WINDOW_PRESETS, type Window } from './viewer-math';

export type Tool = 'window' | 'pan' | 'zoom';

export interface OverlaySettings {
  visible: boolean;
  opacity: number;
  label: Label;
}

interface Props {
  window: Window;
  onPreset: (key: string) => void;
  tool: Tool;
  onTool: (tool: Tool) => void;
  onZoom: (factor: number) => void;
  onReset: () => void;
  overlay: OverlaySettings;
  overlayAvailable: boolean;
  onOverlay: (next: OverlaySettings) => void;
}

const TOOLS: { tool: Tool; name: string; hint: string }[] = [
  { tool: 'window', name: 'Window', hint: 'drag: right widens, down raises the level' },
  { tool: 'pan', name: 'Pan', hint: 'drag moves the image (or Shift + drag, middle button)' },
  { tool: 'zoom', name: 'Zoom', hint: 'drag up zooms in (or Ctrl + wheel, + and -)' },
];

const button = 'rounded border border-edge px-2.5 py-1 text-sm hover:bg-edge focus-visible:outline-2 focus-visible:outline-sky-400';
const pressed = 'bg-sky-900/60 border-sky-500 text-ink';

/** The viewer's controls: window presets, drag tool, zoom, reset, and the localisation overlay. */
export function ViewerToolbar(p: Props) {
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm" role="toolbar" aria-label="Viewer controls">
      <div className="flex items-center gap-1" role="group" aria-label="Window presets">
        {WINDOW_PRESETS.map((w) => {
          const active = p.window.center === w.center && p.window.width === w.width;
          return (
            <button key={w.key} type="button" className={`${button} ${active ? pressed : ''}`} aria-pressed={active} onClick={() => p.onPreset(w.key)} title={`${w.name} window, key ${w.key}`}>
              <kbd className="mr-1 font-mono text-xs text-muted">{w.key}</kbd>
              {w.name}
            </button>
          );
        })}
      </div>
      <div className="flex items-center gap-1" role="group" aria-label="Drag tool">
        {TOOLS.map((t) => (
          <button key={t.tool} type="button" className={`${button} ${p.tool === t.tool ? pressed : ''}`} aria-pressed={p.tool === t.tool} onClick={() => p.onTool(t.tool)} title={t.hint}>
            {t.name}
          </button>
        ))}
        <button type="button" className={button} onClick={() => p.onZoom(1.25)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" className={button} onClick={() => p.onZoom(0.8)} aria-label="Zoom out" title="Zoom out (-)">
          −
        </button>
        <button type="button" className={button} onClick={p.onReset} title="Reset window, zoom and pan (R)">
          Reset
        </button>
      </div>
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Localization overlay">
        <label className={`flex items-center gap-1.5 ${p.overlayAvailable ? '' : 'text-muted'}`}>
          <input
            type="checkbox"
            checked={p.overlay.visible}
            disabled={!p.overlayAvailable}
            onChange={(e) => p.onOverlay({ ...p.overlay, visible: e.target.checked })}
            data-testid="overlay-toggle"
          />
          Model evidence <kbd className="rounded border border-edge px-1 text-xs text-muted">O</kbd>
        </label>
        <label className="flex items-center gap-1.5">
          <span className="sr-only">Evidence for</span>
          <select
            className="rounded border border-edge bg-panel px-1.5 py-0.5"
            value={p.overlay.label}
            disabled={!p.overlayAvailable}
            onChange={(e) => p.onOverlay({ ...p.overlay, label: e.target.value as Label })}
          >
            {LABELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1.5">
          <span className="text-muted">Opacity</span>
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={Math.round(p.overlay.opacity * 100)}
            disabled={!p.overlayAvailable}
            onChange={(e) => p.onOverlay({ ...p.overlay, opacity: Number(e.target.value) / 100 })}
            aria-valuetext={`${Math.round(p.overlay.opacity * 100)}%`}
            className="w-24 accent-sky-400"
          />
        </label>
        <span aria-hidden className="h-2.5 w-16 rounded-sm" style={{ background: 'linear-gradient(90deg, rgba(102,0,0,0), #ff0000 40%, #ffff00 75%, #ffffff)' }} title="low → high" />
      </div>
      {/* Said once, in view: what the mouse and the keys do, for a reader new to this viewer. */}
      <p className="w-full text-xs text-muted" data-testid="viewer-hints">
        Wheel or ↑/↓: slices · {TOOLS.find((t) => t.tool === p.tool)?.hint} · 1 2 3: windows · O: evidence · ?: all keys
      </p>
    </div>
  );
}
