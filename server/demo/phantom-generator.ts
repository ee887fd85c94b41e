import { Worker } from 'node:worker_threads';
import type { LabelRecord } from '@/lib/labels';
import { AppError } from '@/lib/errors';
import type { PhantomKind, Subtype } from '@/server/phantoms';

/** One study to generate (see generateStudyOfKind). */
export interface PhantomJob {
  seed: number;
  slices: number;
  size: number;
  hemorrhage: readonly Subtype[];
  /** Default `cartoon` (npm run simulate, pipeline tests); the demo scanner asks for `demo`. */
  kind?: PhantomKind;
}

/** A generated study: Part-10 bytes per slice, in z order, and its study-level truth (for `demo`, from the synthesis mask). */
export interface GeneratedPhantom {
  seed: number;
  studyInstanceUid: string;
  truth: LabelRecord<0 | 1>;
  slices: Uint8Array[];
}

export type PhantomRequest = PhantomJob & { id: number };
export type PhantomReply = { id: number; ok: true; study: GeneratedPhantom } | { id: number; ok: false; message: string };

/**
 * Generates phantom studies on one worker thread, started on first use and ended by close(), so
 * seconds of pixel synthesis never run on the caller's event loop. Jobs run one after another.
 */
export class PhantomGenerator {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (s: GeneratedPhantom) => void; reject: (e: Error) => void }>();

  /** Resolves with the study; rejects with AppError INTERNAL if the worker fails. */
  generate(job: PhantomJob): Promise<GeneratedPhantom> {
    const worker = this.worker ?? this.startWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...job, hemorrhage: [...job.hemorrhage], id } satisfies PhantomRequest);
    });
  }

  /** Ends the worker; jobs still waiting are rejected. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new AppError('INTERNAL', 'phantom generator closed'));
  }

  private startWorker(): Worker {
    // From source (tsx, vitest) the entry is TypeScript: Node 20 does not apply tsx's loader
    // (inherited or `--import tsx`) inside workers, so the worker loads it through tsx's API.
    // A compiled build would start the .js sibling directly.
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = new URL(`./phantom-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
    const worker = fromSource
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true })
      : new Worker(entry);
    worker.on('message', (reply: PhantomReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply.study);
      else waiter.reject(new AppError('INTERNAL', `phantom generation failed: ${reply.message}`));
    });
    worker.on('error', (err) => {
      this.worker = undefined; // the next job starts a fresh worker
      this.failAll(new AppError('INTERNAL', `phantom worker failed: ${err.message}`, undefined, { cause: err }));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new AppError('INTERNAL', 'phantom worker exited'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
