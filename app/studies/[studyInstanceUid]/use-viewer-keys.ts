'use client';

import { useEffect, useRef } from 'react';

export interface ViewerKeyActions {
  step: (delta: number) => void;
  jump: (to: 'first' | 'last') => void;
  preset: (key: string) => boolean;
  toggleOverlay: () => void;
  reset: () => void;
  zoom: (factor: number) => void;
}

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

/** Scrolling keys act only when focus is in the viewer or nowhere in particular, so they never steal a list's or a form's keys. */
function scrollKeysApply(target: EventTarget | null, viewer: HTMLElement | null): boolean {
  return !(target instanceof HTMLElement) || target === document.body || Boolean(viewer?.contains(target));
}

/**
 * The reading keys, page-wide (a reader should not have to click the image first): arrows and
 * PageUp/PageDown scroll (1 and 5 slices), Home/End, 1/2/3 window presets, O overlay, R reset,
 * + and - zoom. Ignored while typing (a comment box) or with Ctrl/Alt/Meta held.
 */
export function useViewerKeys(viewer: React.RefObject<HTMLElement | null>, actions: ViewerKeyActions): void {
  const latest = useRef(actions);
  useEffect(() => {
    latest.current = actions;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
      const t = e.target;
      if (t instanceof HTMLElement && (TYPING.has(t.tagName) || t.isContentEditable)) return;
      const a = latest.current;
      const scroll = scrollKeysApply(t, viewer.current);
      let handled = true;
      switch (e.key) {
        case 'ArrowUp':
        case 'ArrowDown':
        case 'PageUp':
        case 'PageDown':
          if (!scroll) return;
          a.step((e.key.endsWith('Up') ? -1 : 1) * (e.key.startsWith('Page') ? 5 : 1));
          break;
        case 'Home':
        case 'End':
          if (!scroll) return;
          a.jump(e.key === 'Home' ? 'first' : 'last');
          break;
        case 'o':
        case 'O':
          a.toggleOverlay();
          break;
        case 'r':
        case 'R':
          a.reset();
          break;
        case '+':
        case '=':
          a.zoom(1.25);
          break;
        case '-':
          a.zoom(0.8);
          break;
        default:
          handled = a.preset(e.key);
      }
      if (handled) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [viewer]);
}
