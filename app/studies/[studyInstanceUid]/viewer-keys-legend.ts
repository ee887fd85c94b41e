import type { KeyGroup } from '../../keyboard-help';
import { WINDOW_PRESETS } from './viewer-math';

/** The study view's key legend: what use-viewer-keys.ts and the pointer do. */
export const VIEWER_KEYS: KeyGroup[] = [
  {
    title: 'Slices',
    keys: [
      { keys: ['↑', '↓'], what: 'Previous / next slice (or the mouse wheel: one notch, one slice)' },
      { keys: ['PgUp', 'PgDn'], what: '5 slices back / on' },
      { keys: ['Home', 'End'], what: 'First / last slice' },
    ],
  },
  {
    title: 'Image',
    keys: [
      ...WINDOW_PRESETS.map((w) => ({ keys: [w.key], what: `${w.name} window (${w.center} / ${w.width} HU)` })),
      { keys: ['O'], what: "Show or hide the model's evidence" },
      { keys: ['+', '−'], what: 'Zoom in / out (or Ctrl + wheel)' },
      { keys: ['R'], what: 'Reset window, zoom and pan' },
      { keys: ['?'], what: 'This legend' },
    ],
  },
];
