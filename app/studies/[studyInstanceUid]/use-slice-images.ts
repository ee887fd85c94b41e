'use client';

import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { SLICE_HEADERS, type SliceLocalization } from '@/lib/study-detail';
import type { ImageGeometry } from './viewer-math';

export interface SliceImage extends ImageGeometry {
  /** HU, row-major. */
  hu: Int16Array;
}

export type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/** Slices kept in memory per page (about 0.5 MB each at 512 x 512). */
const MAX_KEPT = 160;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

async function errorText(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string; decodeError?: { code: string } } } | null;
  const code = body?.error?.decodeError?.code;
  return `${body?.error?.message ?? `HTTP ${res.status}`}${code && !body?.error?.message?.includes(code) ? ` (${code})` : ''}`;
}

async function fetchSlice(url: string, signal: AbortSignal): Promise<SliceImage> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(await errorText(res));
  const rows = Number(res.headers.get(SLICE_HEADERS.rows));
  const columns = Number(res.headers.get(SLICE_HEADERS.columns));
  const spacing = res.headers.get(SLICE_HEADERS.pixelSpacing)?.split('\\').map(Number);
  const buffer = await res.arrayBuffer();
  if (!(rows > 0 && columns > 0) || buffer.byteLength !== rows * columns * 2) throw new Error('the slice arrived incomplete');
  let hu = new Int16Array(buffer);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(buffer);
    hu = Int16Array.from({ length: rows * columns }, (_, i) => view.getInt16(i * 2, true));
  }
  const pixelSpacing = spacing?.length === 2 && spacing.every((v) => v > 0) ? ([spacing[0]!, spacing[1]!] as [number, number]) : null;
  return { rows, columns, pixelSpacing, hu };
}

async function fetchLocalization(url: string, signal: AbortSignal): Promise<SliceLocalization> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(await errorText(res));
  return (await res.json()) as SliceLocalization;
}

/**
 * Slice HU and localisation maps of one study, fetched on demand and kept (bounded, least
 * recently asked first out). Listeners hear whenever something arrives; `close()` drops what is
 * still on its way.
 */
export class SliceStore {
  private readonly images = new Map<string, Loaded<SliceImage>>();
  private readonly maps = new Map<string, Loaded<SliceLocalization>>();
  private controller = new AbortController();
  private readonly listeners = new Set<() => void>();
  private arrivals = 0;

  constructor(private readonly base: string) {}

  /** Starts loading a slice (and its map when it has one) unless it is already here or on its way. */
  request(sop: string, withLocalization: boolean): void {
    const url = `${this.base}/${encodeURIComponent(sop)}`;
    this.load(this.images, sop, (signal) => fetchSlice(url, signal));
    if (withLocalization) this.load(this.maps, sop, (signal) => fetchLocalization(`${url}/localization`, signal));
  }

  image(sop: string): Loaded<SliceImage> | undefined {
    return this.images.get(sop);
  }

  localization(sop: string): Loaded<SliceLocalization> | undefined {
    return this.maps.get(sop);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever something arrived (for useSyncExternalStore). */
  snapshot = (): number => this.arrivals;

  /** Reopens after close() (React mounts effects twice in development). */
  open(): void {
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }

  /** Cancels what is on its way; those slices are fetched again when next requested. */
  close(): void {
    this.controller.abort();
    for (const store of [this.images, this.maps] as Map<string, Loaded<unknown>>[]) {
      for (const [k, v] of store) if (v.state === 'loading') store.delete(k);
    }
  }

  private load<T>(store: Map<string, Loaded<T>>, key: string, fetcher: (signal: AbortSignal) => Promise<T>): void {
    const hit = store.get(key);
    if (hit) {
      store.delete(key);
      store.set(key, hit);
      return;
    }
    store.set(key, { state: 'loading' });
    const { signal } = this.controller;
    const settle = (entry: Loaded<T>) => {
      if (signal.aborted) return;
      store.set(key, entry);
      this.arrivals++;
      for (const l of this.listeners) l();
    };
    fetcher(signal).then(
      (value) => settle({ state: 'ready', value }),
      (err: unknown) => settle({ state: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    for (const k of store.keys()) {
      if (store.size <= MAX_KEPT) break;
      store.delete(k);
    }
  }
}

/** The study's slice store; re-renders the caller whenever a slice or map arrives. */
export function useSliceStore(studyInstanceUid: string): SliceStore {
  const store = useMemo(() => new SliceStore(`/api/studies/${encodeURIComponent(studyInstanceUid)}/slices`), [studyInstanceUid]);
  useEffect(() => {
    store.open();
    return () => store.close();
  }, [store]);
  useSyncExternalStore(store.subscribe, store.snapshot, () => 0);
  return store;
}
