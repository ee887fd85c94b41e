import { Worker } from 'node:worker_threads';
import { AppError, ERROR_STATUS, type ErrorCode } from '@/lib/errors';
import type { PreprocessSpec } from '@/lib/model-manifest';
import type { HuImage } from '@/server/dicom';
import type { Logger } from '@/server/logging';
import { ownedBuffer, type DecodedSlice, type DecodeResults, type DecodeTask, type ModelSlice, type RenderedSlice } from './decode-task';
import type { DecodeReply, DecodeRequest } from './serve-decode-tasks';
import type { DecodeLane, SliceDecoder } from './slice-decoder';

export interface DecodePoolOptions {
  /** Worker threads (≥ 1). */
  size: number;
  /** A task running longer than this has its worker terminated and fails DICOM_DECODE_TIMEOUT. */
  timeoutMs: number;
  log?: Logger | undefined;
  /** Test hook: another worker entry (a .ts file from source, .js when compiled); default decode-worker. */
  entry?: URL | undefined;
}

interface Pending {
  task: DecodeTask;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  busy?: { id: number; pending: Pending; timer: NodeJS.Timeout } | undefined;
}

// A worker that dies before it is ready this many times in a row means the entry itself is broken
// (not one bad file): the pool stops replacing workers and fails what waits, instead of looping.
const MAX_FAILED_STARTS = 3;

/**
 * Decoding and tensor building on worker threads, one task per worker at a time. A task's timer
 * starts when a worker takes it (not while it queues), and a task past `timeoutMs` terminates its
 * worker, since a WASM codec cannot be interrupted: the task fails with DICOM_DECODE_TIMEOUT, a
 * fresh worker takes the dead one's place and the queue carries on. A worker that dies mid-task
 * fails that task with DICOM_DECODER_CRASHED and is replaced the same way. Interactive tasks (the
 * viewer) queue ahead of batch ones (analysis), so a reader is not stuck behind a burst.
 */
export class DecodePool implements SliceDecoder {
  private readonly workers = new Set<PoolWorker>();
  private readonly lanes: Record<DecodeLane, Pending[]> = { interactive: [], batch: [] };
  private nextId = 1;
  private failedStarts = 0;
  private closed = false;
  private broken: AppError | undefined;
  private readonly entry: URL;
  private readonly fromSource: boolean;

  constructor(private readonly options: DecodePoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`decode pool size must be a positive integer, got ${options.size}`);
    if (!(options.timeoutMs > 0)) throw new RangeError(`decode timeout must be positive, got ${options.timeoutMs}`);
    // From source (tsx, vitest) the entry is TypeScript, loaded through tsx's API inside the worker
    // (workers do not inherit tsx's loader); the compiled build starts the .js sibling that
    // scripts/build-server.mjs writes beside the bundle.
    this.fromSource = import.meta.url.endsWith('.ts');
    this.entry = options.entry ?? new URL(`./decode-worker.${this.fromSource ? 'ts' : 'js'}`, import.meta.url);
    for (let i = 0; i < options.size; i++) this.spawn();
  }

  /** Workers alive now (started or starting); for tests and metrics. */
  get size(): number {
    return this.workers.size;
  }

  decodeSlice(bytes: Uint8Array, options: { measureBrain?: boolean; lane?: DecodeLane } = {}): Promise<DecodedSlice> {
    return this.run('slice', { kind: 'slice', bytes, measureBrain: options.measureBrain ?? false }, ownedBuffer(bytes), options.lane ?? 'batch');
  }

  decodeForModel(bytes: Uint8Array, spec: PreprocessSpec, options: { measureBrain?: boolean; lane?: DecodeLane } = {}): Promise<ModelSlice> {
    // The planes come back moved, not copied (a fresh buffer per slice, owned by the caller's cache).
    return this.run('model', { kind: 'model', bytes, spec, measureBrain: options.measureBrain ?? false }, ownedBuffer(bytes), options.lane ?? 'batch');
  }

  buildContextTensor(spec: PreprocessSpec, images: ReadonlyMap<number, HuImage>): Promise<Float32Array> {
    // HU decoded by a worker live in shared memory and cross without a copy; any other HU image
    // is copied (it stays in the caller's cache, so it cannot be moved).
    return this.run('tensor', { kind: 'tensor', spec, images: [...images] }, [], 'batch');
  }

  renderSlice(bytes: Uint8Array): Promise<RenderedSlice> {
    return this.run('render', { kind: 'render', bytes }, ownedBuffer(bytes), 'interactive');
  }

  /** Terminates every worker; tasks still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new AppError('INTERNAL', 'decode pool closed');
    for (const lane of Object.values(this.lanes)) for (const p of lane.splice(0)) p.reject(err);
    const all = [...this.workers];
    this.workers.clear();
    await Promise.all(
      all.map(async (w) => {
        if (w.busy) {
          clearTimeout(w.busy.timer);
          w.busy.pending.reject(err);
          w.busy = undefined;
        }
        await w.worker.terminate();
      }),
    );
  }

  /**
   * Queues one task. Its input buffers in `transfer` move to the worker when it is dispatched (the
   * caller must not use them afterwards: stored files are read afresh for every decode).
   */
  private run<K extends DecodeTask['kind']>(_kind: K, task: Extract<DecodeTask, { kind: K }>, transfer: ArrayBuffer[], lane: DecodeLane): Promise<DecodeResults[K]> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'decode pool closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<DecodeResults[K]>((resolve, reject) => {
      this.lanes[lane].push({ task, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const w of this.workers) {
      if (!w.ready || w.busy) continue;
      const pending = this.lanes.interactive.shift() ?? this.lanes.batch.shift();
      if (!pending) return;
      const id = this.nextId++;
      const timer = setTimeout(() => this.timedOut(w, id), this.options.timeoutMs);
      w.busy = { id, pending, timer };
      w.worker.postMessage({ id, task: pending.task } satisfies DecodeRequest, pending.transfer);
    }
  }

  private spawn(): void {
    if (this.closed || this.broken) return;
    const entry = this.entry;
    const worker =
      this.fromSource && entry.pathname.endsWith('.ts')
        ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true })
        : new Worker(entry);
    const w: PoolWorker = { worker, ready: false };
    this.workers.add(w);
    worker.on('message', (reply: DecodeReply) => this.onReply(w, reply));
    worker.on('error', (err) => this.lost(w, 'DICOM_DECODER_CRASHED', `the decode worker failed: ${err.message}`));
    worker.on('exit', (code) => this.lost(w, 'DICOM_DECODER_CRASHED', `the decode worker exited (code ${code})`));
  }

  private onReply(w: PoolWorker, reply: DecodeReply): void {
    if ('ready' in reply) {
      w.ready = true;
      this.failedStarts = 0;
      this.dispatch();
      return;
    }
    const busy = w.busy;
    if (!busy || busy.id !== reply.id) return; // an answer to a task already given up on
    clearTimeout(busy.timer);
    w.busy = undefined;
    if (reply.ok) busy.pending.resolve(reply.result);
    else busy.pending.reject(toError(reply.error));
    this.dispatch();
  }

  private timedOut(w: PoolWorker, id: number): void {
    if (w.busy?.id !== id) return;
    const ms = this.options.timeoutMs;
    this.options.log?.warn({ timeoutMs: ms, task: w.busy.pending.task.kind }, 'decode task ran past its limit: worker terminated and replaced');
    this.fail(w, new AppError('DICOM_DECODE_TIMEOUT', `decoding ran past ${ms} ms (DECODE_TIMEOUT_MS) and was stopped`));
  }

  /** A worker that died (error or exit): its task fails, a replacement starts. */
  private lost(w: PoolWorker, code: ErrorCode, message: string): void {
    if (!this.workers.has(w)) return; // already handled (terminated by the pool, or the second of error + exit)
    if (!w.ready && ++this.failedStarts >= MAX_FAILED_STARTS) {
      this.broken = new AppError('INTERNAL', `decode workers fail to start: ${message}`);
      this.options.log?.error({ err: this.broken }, 'decode workers fail to start');
      this.workers.delete(w);
      for (const lane of Object.values(this.lanes)) for (const p of lane.splice(0)) p.reject(this.broken);
      return;
    }
    this.options.log?.warn({ code }, 'decode worker lost: replaced');
    this.fail(w, new AppError(code, message));
  }

  private fail(w: PoolWorker, err: AppError): void {
    this.workers.delete(w);
    if (w.busy) {
      clearTimeout(w.busy.timer);
      w.busy.pending.reject(err);
      w.busy = undefined;
    }
    void w.worker.terminate();
    this.spawn();
    this.dispatch();
  }
}

function toError(e: Extract<DecodeReply, { ok: false }>['error']): Error {
  if (e.app && e.code in ERROR_STATUS) return new AppError(e.code as ErrorCode, e.message, e.details);
  return new Error(e.message);
}
