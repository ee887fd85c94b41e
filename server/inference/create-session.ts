import * as ort from 'onnxruntime-node';
import { AppError } from '@/lib/errors';
import type { Logger } from '@/server/logging';
import type { ExecutionProvider } from './execution-provider';
import { unavailableReason } from './provider-availability';

export interface SessionChoice {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  /** Providers tried before this one, each with the error it gave. */
  skipped: { provider: ExecutionProvider; error: string }[];
}

/**
 * The options every session gets. Measured with bench/inference.ts and a variant sweep on this
 * 2-core machine under load (see README's benchmark table): `allow_spinning: '0'` was the one change
 * that helped (batch 8: 24 vs 22 slices/s, batch 32: 29 vs 26, medians of 4): spinning intra-op
 * threads keep a core busy after each run, and on a server that core is wanted by the decode
 * workers and the event loop. Turning the arena off was slower (19 and 21); flushing denormals
 * made no difference. Sequential execution, the CPU arena and memory patterns are onnxruntime's
 * defaults, kept and written out so a change to them is deliberate.
 */
export function sessionOptions(provider: ExecutionProvider, intraOpThreads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    // One inter-op thread: the batcher already serialises runs; intra-op threads use the cores.
    interOpNumThreads: 1,
    intraOpNumThreads: intraOpThreads,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    // Unavailable providers are expected here; their error is kept and logged once, below.
    logSeverityLevel: provider === 'cpu' ? 2 : 4,
  };
}

/**
 * Creates one ONNX Runtime session, trying providers in order of preference. onnxruntime-node
 * throws (it does not fall back) when a listed provider is unavailable, so each is tried alone
 * and the first that works wins.
 */
export async function createSession(
  bytes: Uint8Array,
  providers: readonly ExecutionProvider[],
  opts: { intraOpThreads: number; log: Logger },
): Promise<SessionChoice> {
  const skipped: SessionChoice['skipped'] = [];
  for (const provider of providers) {
    // A provider this machine plainly lacks is not asked for: the native attempt prints red errors.
    const reason = unavailableReason(provider);
    if (reason) {
      skipped.push({ provider, error: reason });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(provider, opts.intraOpThreads));
      // One calm line, the expected fallback included: CPU machines skip cuda and webgpu on every start.
      opts.log.info({ provider, skipped }, 'inference session ready');
      return { session, provider, skipped };
    } catch (err) {
      skipped.push({ provider, error: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new AppError(
    'MODEL_LOAD_FAILED',
    `no execution provider could run the model: ${skipped.map((s) => `${s.provider}: ${s.error}`).join(' | ')}`,
  );
}
