'use client';

import { useEffect, useRef } from 'react';

export interface KeyGroup {
  title: string;
  keys: { keys: string[]; what: string }[];
}

/** True when a key press is meant for a text field, not a page shortcut. */
export function isTypingTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable);
}

/**
 * The page's key legend: `?` (or the "Keys" button) opens it, Escape or the close button shuts it.
 * A native modal dialog: it holds focus while open and gives it back on close.
 */
export function KeyboardHelp({ groups }: { groups: KeyGroup[] }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      const d = dialog.current;
      if (!d || d.open) return;
      e.preventDefault();
      d.showModal();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <button
        type="button"
        onClick={() => dialog.current?.showModal()}
        aria-keyshortcuts="?"
        data-testid="keys-button"
        className="rounded border border-edge px-2 py-1 text-sm text-muted hover:text-ink focus-visible:outline-2 focus-visible:outline-sky-400"
      >
        Keys <kbd className="ml-1 rounded border border-edge px-1 font-mono text-xs">?</kbd>
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="keys-title"
        data-testid="keys-dialog"
        // Clicking the backdrop (the dialog element itself, outside its content) closes it too.
        onClick={(e) => {
          if (e.target === e.currentTarget) e.currentTarget.close();
        }}
        className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-lg border border-edge bg-panel p-0 text-ink backdrop:bg-black/60"
      >
        <div className="flex flex-col gap-4 p-5">
          <div className="flex items-center justify-between">
            <h2 id="keys-title" className="text-lg font-medium">Keyboard</h2>
            <button type="button" onClick={() => dialog.current?.close()} className="rounded border border-edge px-2 py-1 text-sm" aria-label="Close (Escape)">
              Close <kbd className="ml-1 font-mono text-xs text-muted">Esc</kbd>
            </button>
          </div>
          {groups.map((g) => (
            <section key={g.title}>
              <h3 className="mb-2 text-sm font-medium text-muted">{g.title}</h3>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
                {g.keys.map((k) => (
                  <div key={k.what} className="contents">
                    <dt className="flex gap-1">
                      {k.keys.map((key) => (
                        <kbd key={key} className="rounded border border-edge bg-surface px-1.5 font-mono text-xs leading-5">
                          {key}
                        </kbd>
                      ))}
                    </dt>
                    <dd>{k.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </dialog>
    </>
  );
}
