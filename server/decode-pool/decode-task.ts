import type { PreprocessSpec } from '@/lib/model-manifest';
import { isAppError } from '@/lib/errors';
import { buildContextTensor } from '@/server/analysis/build-context-tensor';
import { modelPlanesFromStored } from '@/server/analysis/model-planes';
import { checkIsCt, decodeCtSlice, decodePixels, parseDicom, toHounsfield, type DicomHeader, type DicomWarning, type HuImage, type StoredFrame } from '@/server/dicom';
import { intracranialSoftTissueArea } from '@/server/dicom/intracranial-content';
import { storedHu } from '@/server/dicom/stored-tensor';
import { encodeHuInt16LE } from '@/server/viewer/encode-hu';

/** One file decoded for analysis: header, HU, warnings and (when asked) the brain area of the slice. */
export interface DecodedSlice {
  header: DicomHeader;
  hu: HuImage;
  warnings: DicomWarning[];
  /** mm² of soft tissue inside the skull (intracranialSoftTissueArea); present when asked for. */
  brainAreaMm2?: number | undefined;
}

/**
 * One file decoded for the model (the analysis path): header, warnings, the brain area when asked,
 * and the slice's planes at model resolution (server/analysis/model-planes.ts) built straight from
 * the stored values. No HU image is made, kept or sent back.
 */
export interface ModelSlice {
  header: DicomHeader;
  warnings: DicomWarning[];
  /** planeLayout(spec).planeSpec's tensor: one plane per distinct window of the spec. */
  planes: Float32Array;
  /** As DecodedSlice's: the same number, from the same HU values. */
  brainAreaMm2?: number | undefined;
}

/** One file rendered for the study view: Int16 LE HU (encodeHuInt16LE) and its geometry. */
export interface RenderedSlice {
  rows: number;
  columns: number;
  pixelSpacing: [number, number] | null;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * The work a decode worker does, one typed task per message. The same function runs inline
 * (DECODE_WORKERS=0) and in the workers, so both give bit-identical results.
 */
export type DecodeTask =
  | { kind: 'slice'; bytes: Uint8Array; measureBrain: boolean }
  | { kind: 'model'; bytes: Uint8Array; spec: PreprocessSpec; measureBrain: boolean }
  | { kind: 'tensor'; spec: PreprocessSpec; images: [offset: number, image: HuImage][] }
  | { kind: 'render'; bytes: Uint8Array };

export interface DecodeResults {
  slice: DecodedSlice;
  model: ModelSlice;
  tensor: Float32Array;
  render: RenderedSlice;
}

/** How the HU array of a decoded slice is allocated (workers: shared memory, so it crosses back without a copy). */
export interface DecodeTaskOptions {
  huBuffer?: (length: number) => Float32Array;
  /** A spec for a JSON key, so a worker validates and plans each model's spec once, not per message. */
  canonicalSpec?: (spec: PreprocessSpec) => PreprocessSpec;
}

/** Runs one task; throws what the decoder throws (AppError DICOM_* for bad input). */
export async function runDecodeTask<K extends DecodeTask['kind']>(
  task: Extract<DecodeTask, { kind: K }>,
  options: DecodeTaskOptions = {},
): Promise<DecodeResults[K]> {
  return (await runAny(task, options)) as DecodeResults[K];
}

async function runAny(task: DecodeTask, options: DecodeTaskOptions): Promise<DecodeResults[DecodeTask['kind']]> {
  switch (task.kind) {
    case 'slice': {
      const slice = await decodeCtSlice(task.bytes, options.huBuffer ? { huBuffer: options.huBuffer } : {});
      const brainAreaMm2 = task.measureBrain ? intracranialSoftTissueArea(slice.hu, slice.header.pixelSpacing) : undefined;
      return { ...slice, brainAreaMm2 };
    }
    case 'model': {
      // decodeCtSlice up to the rescale: the same parse, CT check and frame decode, the same
      // DICOM_* failures; then planes from the stored values instead of an HU image.
      const parsed = parseDicom(task.bytes);
      checkIsCt(parsed.header);
      const frame = await decodePixels(parsed, 0);
      // The warnings toHounsfield adds (RSNA correction, MONOCHROME1) depend on the header alone.
      toHounsfield(parsed.header, { rows: 1, columns: 1, pixels: frame.pixels.subarray(0, 1) }, undefined, { warnings: parsed.warnings });
      const spec = options.canonicalSpec ? options.canonicalSpec(task.spec) : task.spec;
      let planes: Float32Array;
      try {
        planes = modelPlanesFromStored(parsed.header, frame, spec);
      } catch (err) {
        // Not the file's fault (a spec the model cannot use): not an AppError, so the analyser
        // retries the job as it did when tensors failed, instead of marking the slice undecodable.
        if (isAppError(err)) throw new Error(`building the model input failed: ${err.code}: ${err.message}`, { cause: err });
        throw err;
      }
      const brainAreaMm2 = task.measureBrain ? intracranialSoftTissueArea(sampledHu(parsed.header, frame), parsed.header.pixelSpacing) : undefined;
      return { header: parsed.header, warnings: parsed.warnings, planes, brainAreaMm2 };
    }
    case 'tensor': {
      const images = new Map(task.images);
      const spec = options.canonicalSpec ? options.canonicalSpec(task.spec) : task.spec;
      return buildContextTensor(spec, (offset) => images.get(offset));
    }
    case 'render': {
      const { header, hu } = await decodeCtSlice(task.bytes);
      return { rows: hu.rows, columns: hu.columns, pixelSpacing: header.pixelSpacing ?? null, body: encodeHuInt16LE(hu.hu) };
    }
  }
}

// The HU image the brain-area measurement reads, reused from slice to slice (synchronous use only).
let brainScratch = new Float32Array(0);

/**
 * An HU image holding toHounsfield's values at every pixel intracranialSoftTissueArea reads (even
 * rows, even columns: it works at half resolution); the other pixels hold stale values it never
 * reads. A quarter of the lookups of a whole HU image, same area to the last bit (tested against
 * the full image in server/analysis/model-planes.test.ts). 32-bit data: the whole image.
 */
function sampledHu(header: DicomHeader, frame: StoredFrame): HuImage {
  const { rows, columns, pixels } = frame;
  const n = rows * columns;
  if (brainScratch.length < n) brainScratch = new Float32Array(n);
  const hu = brainScratch.length === n ? brainScratch : brainScratch.subarray(0, n);
  const table = storedHu(header, pixels);
  if (!table) return toHounsfield(header, frame, hu);
  const { offset, hu: huOf } = table;
  for (let r = 0; r < rows; r += 2) {
    for (let i = r * columns, end = i + columns; i < end; i += 2) hu[i] = huOf[pixels[i]! + offset]!;
  }
  return { rows, columns, hu };
}

/** The ArrayBuffers a task's result can move back to the caller without a copy (shared memory needs none). */
export function resultTransfer(result: DecodeResults[DecodeTask['kind']]): ArrayBuffer[] {
  if (result instanceof Float32Array) return ownedBuffer(result);
  if ('body' in result) return ownedBuffer(result.body);
  if ('planes' in result) return ownedBuffer(result.planes);
  return ownedBuffer(result.hu.hu);
}

/** The buffer of `view` when moving it cannot detach anything else: the view spans all of a plain ArrayBuffer. */
export function ownedBuffer(view: ArrayBufferView): ArrayBuffer[] {
  const { buffer } = view;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength ? [buffer] : [];
}
