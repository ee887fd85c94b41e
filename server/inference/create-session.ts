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
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // One inter-op thread: the batcher already serialises runs; intra-op threads use the cores.
        interOpNumThreads: 1,
        intraOpNumThreads: opts.intraOpThreads,
        // Unavailable providers are expected here; their error is kept and logged once, below.
        logSeverityLevel: provider === 'cpu' ? 2 : 4,
      });
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
