import * as ort from 'onnxruntime-node';
import { AppError } from '@/lib/errors';
import { LABELS, type LabelRecord } from '@/lib/labels';
import type { ModelManifest } from '@/lib/model-manifest';
import type { Logger } from '@/server/logging';
import { createSession } from './create-session';
import type { ExecutionProvider } from './execution-provider';
import { loadVerifiedModel } from './load-manifest';
import { MicroBatcher } from './micro-batcher';

export interface InferenceEngineOptions {
  manifestPath: string;
  providers: readonly ExecutionProvider[];
  maxBatch: number;
  maxWaitMs: number;
  intraOpThreads: number;
  log: Logger;
}

/** What the model says about one slice. */
export interface SliceInference {
  probabilities: LabelRecord<number>;
  /** Localization maps, one per label in LABELS order, each camHeight x camWidth; absent if the model has none. */
  cam?: { height: number; width: number; maps: Float32Array };
}

export interface EngineStatus {
  name: string;
  version: string;
  provider: ExecutionProvider;
  skippedProviders: { provider: ExecutionProvider; error: string }[];
  loadMs: number;
}

/**
 * One verified model, one ONNX Runtime session, and a micro-batcher in front of it. Callers submit
 * single slice tensors; the engine runs them in batches. ORT runs on its own threads, so the event
 * loop stays responsive while a batch runs.
 */
export class InferenceEngine {
  /** Model runs and slices so far: runs much lower than slices means batching works. */
  readonly stats = { runs: 0, slices: 0 };
  /** Called after each model run with its slice count and seconds (server/metrics); set by the composition root. */
  onBatch: ((size: number, seconds: number) => void) | undefined;

  private readonly batcher: MicroBatcher<Float32Array, SliceInference>;

  private constructor(
    readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
    readonly status: EngineStatus,
    batching: { maxBatch: number; maxWaitMs: number },
  ) {
    this.batcher = new MicroBatcher((items) => this.runBatch(items), batching);
  }

  /** Loads and verifies the model, picks an execution provider, and returns a ready engine. */
  static async create(opts: InferenceEngineOptions): Promise<InferenceEngine> {
    const started = performance.now();
    const { manifest, bytes } = await loadVerifiedModel(opts.manifestPath);
    const choice = await createSession(bytes, opts.providers, { intraOpThreads: opts.intraOpThreads, log: opts.log });
    assertSessionMatchesManifest(choice.session, manifest);
    const status: EngineStatus = {
      name: manifest.name,
      version: manifest.version,
      provider: choice.provider,
      skippedProviders: choice.skipped,
      loadMs: Math.round(performance.now() - started),
    };
    return new InferenceEngine(manifest, choice.session, status, { maxBatch: opts.maxBatch, maxWaitMs: opts.maxWaitMs });
  }

  /** Number of float32 values one slice tensor must have (C x H x W). */
  get sliceLength(): number {
    const { windows, inputSize } = this.manifest.preprocess;
    return windows.length * inputSize.height * inputSize.width;
  }

  /** Runs one slice tensor (CHW float32, as buildTensor makes it) through the model. */
  infer(tensor: Float32Array): Promise<SliceInference> {
    this.assertValidTensor(tensor);
    return this.batcher.submit(tensor);
  }

  /** Stops accepting slices and releases the session once queued work is done. */
  async close(): Promise<void> {
    this.batcher.close();
    while (this.batcher.pending > 0) await new Promise((r) => setTimeout(r, 5));
    await this.session.release();
  }

  private assertValidTensor(tensor: Float32Array): void {
    if (!(tensor instanceof Float32Array)) {
      throw new AppError('INFERENCE_BAD_INPUT', 'slice tensor must be a Float32Array');
    }
    if (tensor.length !== this.sliceLength) {
      const { windows, inputSize } = this.manifest.preprocess;
      throw new AppError(
        'INFERENCE_BAD_INPUT',
        `slice tensor has ${tensor.length} values; ${this.manifest.name}@${this.manifest.version} needs ${windows.length}x${inputSize.height}x${inputSize.width} = ${this.sliceLength}`,
      );
    }
    for (let i = 0; i < tensor.length; i++) {
      if (!Number.isFinite(tensor[i])) {
        throw new AppError('INFERENCE_BAD_INPUT', `slice tensor has a non-finite value at index ${i}`);
      }
    }
  }

  private async runBatch(items: Float32Array[]): Promise<SliceInference[]> {
    const n = items.length;
    const per = this.sliceLength;
    const batch = new Float32Array(n * per);
    items.forEach((t, i) => batch.set(t, i * per));
    const { windows, inputSize } = this.manifest.preprocess;
    const input = new ort.Tensor('float32', batch, [n, windows.length, inputSize.height, inputSize.width]);
    const { outputs } = this.manifest;
    let result: ort.InferenceSession.ReturnType;
    this.stats.runs += 1;
    this.stats.slices += n;
    const runStarted = performance.now();
    try {
      result = await this.session.run({ [this.manifest.input.name]: input });
      this.onBatch?.(n, (performance.now() - runStarted) / 1000);
    } catch (err) {
      throw new AppError('INFERENCE_FAILED', `model run failed for a batch of ${n}: ${(err as Error).message}`, undefined, { cause: err });
    }
    const probs = result[outputs.probabilities]?.data as Float32Array | undefined;
    if (!probs || probs.length !== n * LABELS.length) {
      throw new AppError('INFERENCE_FAILED', `output ${outputs.probabilities} has the wrong size for a batch of ${n}`);
    }
    const camTensor = outputs.cam ? result[outputs.cam] : undefined;
    return items.map((_, i) => {
      const probabilities = Object.fromEntries(LABELS.map((label, j) => [label, probs[i * LABELS.length + j]!])) as LabelRecord<number>;
      if (!camTensor) return { probabilities };
      const [, , height, width] = camTensor.dims as number[];
      const size = LABELS.length * height! * width!;
      const maps = (camTensor.data as Float32Array).slice(i * size, (i + 1) * size);
      return { probabilities, cam: { height: height!, width: width!, maps } };
    });
  }
}

/** Refuses a model whose graph does not have the inputs and outputs its manifest names. */
function assertSessionMatchesManifest(session: ort.InferenceSession, manifest: ModelManifest): void {
  const missing: string[] = [];
  if (!session.inputNames.includes(manifest.input.name)) missing.push(`input "${manifest.input.name}"`);
  for (const name of [manifest.outputs.probabilities, manifest.outputs.cam]) {
    if (name && !session.outputNames.includes(name)) missing.push(`output "${name}"`);
  }
  if (missing.length > 0) {
    throw new AppError(
      'MODEL_MANIFEST_INVALID',
      `the model graph lacks ${missing.join(', ')} named in its manifest (graph has inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
    );
  }
}
