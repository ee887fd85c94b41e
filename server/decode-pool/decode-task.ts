import type { PreprocessSpec } from '@/lib/model-manifest';
import { buildContextTensor } from '@/server/analysis/build-context-tensor';
import { decodeCtSlice, type DicomHeader, type DicomWarning, type HuImage } from '@/server/dicom';
import { intracranialSoftTissueArea } from '@/server/dicom/intracranial-content';
import { encodeHuInt16LE } from '@/server/viewer/encode-hu';

/** One file decoded for analysis: header, HU, warnings and (when asked) the brain area of the slice. */
export interface DecodedSlice {
  header: DicomHeader;
  hu: HuImage;
  warnings: DicomWarning[];
  /** mm² of soft tissue inside the skull (intracranialSoftTissueArea); present when asked for. */
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
  | { kind: 'tensor'; spec: PreprocessSpec; images: [offset: number, image: HuImage][] }
  | { kind: 'render'; bytes: Uint8Array };

export interface DecodeResults {
  slice: DecodedSlice;
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

/** The ArrayBuffers a task's result can move back to the caller without a copy (shared memory needs none). */
export function resultTransfer(result: DecodeResults[DecodeTask['kind']]): ArrayBuffer[] {
  if (result instanceof Float32Array) return ownedBuffer(result);
  if ('body' in result) return ownedBuffer(result.body);
  return ownedBuffer(result.hu.hu);
}

/** The buffer of `view` when moving it cannot detach anything else: the view spans all of a plain ArrayBuffer. */
export function ownedBuffer(view: ArrayBufferView): ArrayBuffer[] {
  const { buffer } = view;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength ? [buffer] : [];
}
