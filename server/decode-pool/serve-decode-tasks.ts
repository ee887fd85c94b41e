import type { MessagePort } from 'node:worker_threads';
import type { PreprocessSpec } from '@/lib/model-manifest';
import { isAppError } from '@/lib/errors';
import { preloadCodecs } from '@/server/dicom';
import { resultTransfer, runDecodeTask, type DecodeTask, type DecodeTaskOptions } from './decode-task';

/** A task as the pool posts it. */
export interface DecodeRequest {
  id: number;
  task: DecodeTask;
}

/** A worker's answer: `ready` once its codecs are loaded, then one reply per request. */
export type DecodeReply =
  | { ready: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { app: boolean; code: string; message: string; details?: Record<string, unknown> | undefined } };

/** What a worker runs per task; tests swap in one that misbehaves (server/decode-pool/__fixtures__). */
export type TaskRunner = (task: DecodeTask, options: DecodeTaskOptions) => Promise<unknown>;

// A decoded slice's HU live in shared memory: the pool's caller keeps them (HU cache) and later
// hands them back for tensor building, and neither direction copies or detaches them.
const sharedHu = (length: number) => new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));

/**
 * Serves decode tasks on a worker's port: codecs are instantiated first (so no task pays for it),
 * then `ready` is posted and each request answered in turn. Results move back without a copy.
 */
export async function serveDecodeTasks(port: MessagePort, run: TaskRunner = runDecodeTask): Promise<void> {
  // Specs by their JSON: a message's spec is a fresh copy, and tensor.ts plans a spec per object.
  const specs = new Map<string, PreprocessSpec>();
  const canonicalSpec = (spec: PreprocessSpec) => {
    const key = JSON.stringify(spec);
    const known = specs.get(key);
    if (known) return known;
    if (specs.size >= 8) specs.clear(); // a few models at most; bounded all the same
    specs.set(key, spec);
    return spec;
  };
  await preloadCodecs();
  port.on('message', (request: DecodeRequest) => {
    void answer(port, request, run, { huBuffer: sharedHu, canonicalSpec });
  });
  port.postMessage({ ready: true } satisfies DecodeReply);
}

async function answer(port: MessagePort, { id, task }: DecodeRequest, run: TaskRunner, options: DecodeTaskOptions): Promise<void> {
  let reply: DecodeReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = await run(task, options);
    transfer = resultTransfer(result as Parameters<typeof resultTransfer>[0]);
    reply = { id, ok: true, result };
  } catch (err) {
    reply = isAppError(err)
      ? { id, ok: false, error: { app: true, code: err.code, message: err.message, details: err.details } }
      : { id, ok: false, error: { app: false, code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
  }
  port.postMessage(reply, transfer);
}
