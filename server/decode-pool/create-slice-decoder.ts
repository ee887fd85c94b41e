import type { Logger } from '@/server/logging';
import { DecodePool } from './decode-pool';
import { InlineSliceDecoder } from './inline-slice-decoder';
import type { SliceDecoder } from './slice-decoder';

/** The process's decoder from config: `workers` 0 decodes inline on the event loop, else a pool of that many threads. */
export function createSliceDecoder(settings: { workers: number; timeoutMs: number }, log?: Logger): SliceDecoder {
  if (settings.workers === 0) return new InlineSliceDecoder();
  return new DecodePool({ size: settings.workers, timeoutMs: settings.timeoutMs, log });
}
