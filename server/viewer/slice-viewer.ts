import { AppError, isAppError } from '@/lib/errors';
import { LABELS, type Label } from '@/lib/labels';
import type { SliceLocalization } from '@/lib/study-detail';
import { decodeMaps } from '@/server/analysis/map-encoding';
import type { DbClient } from '@/server/db';
import { InlineSliceDecoder, type SliceDecoder } from '@/server/decode-pool';
import type { DicomFileStore } from '@/server/files';
import { ByteLru } from '@/server/cache/byte-lru';

/** One slice ready to send: Int16 LE HU bytes and what the viewer needs to place them. */
export interface ViewerSlice {
  rows: number;
  columns: number;
  /** Row, column spacing in mm; null when the file has none. */
  pixelSpacing: [number, number] | null;
  /** mm along the slice normal; null when unknown. */
  position: number | null;
  /** The stored file's SHA-256: changes only when a different file replaces the slice. */
  etag: string;
  body: Uint8Array<ArrayBuffer>;
}

/** What the slice routes ask of the running server (see server/http/service-registry.ts). */
export interface SliceViewerService {
  slice(studyInstanceUid: string, sopInstanceUid: string): Promise<ViewerSlice>;
  localization(studyInstanceUid: string, sopInstanceUid: string): Promise<SliceLocalization>;
}

interface InstanceRow {
  id: string;
  storedPath: string;
  sha256: string;
  slicePosition: number | null;
  decodeStatus: string;
  decodeErrorCode: string | null;
  decodeErrorMessage: string | null;
}

/**
 * Serves stored slices to the study view: instance row → stored file → HU → Int16, with a small
 * LRU of encoded slices (a reader scrolls back and forth over the same few dozen) and one decode
 * per slice in flight however many requests ask for it (the viewer prefetches neighbours).
 */
export class SliceViewer implements SliceViewerService {
  private readonly cache: ByteLru<ViewerSlice>;
  private readonly inFlight = new Map<string, Promise<ViewerSlice>>();

  constructor(
    private readonly prisma: DbClient,
    private readonly files: DicomFileStore,
    /** Decoding and Int16 encoding run here (the worker pool in the server, ahead of analysis work). */
    private readonly decoder: SliceDecoder = new InlineSliceDecoder(),
    cacheBytes = 64 * 1024 * 1024,
  ) {
    this.cache = new ByteLru(cacheBytes, (s) => s.body.byteLength);
  }

  async slice(studyInstanceUid: string, sopInstanceUid: string): Promise<ViewerSlice> {
    const row = await this.findInstance(studyInstanceUid, sopInstanceUid);
    if (row.decodeStatus === 'failed') throw notDecoded(row.decodeErrorCode ?? 'DICOM_DECODE_FAILED', row.decodeErrorMessage ?? '');
    const key = `${row.id}:${row.sha256}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.decode(row).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const slice = await pending;
    this.cache.set(key, slice);
    return slice;
  }

  async localization(studyInstanceUid: string, sopInstanceUid: string): Promise<SliceLocalization> {
    const row = await this.findInstance(studyInstanceUid, sopInstanceUid);
    const study = await this.prisma.study.findUnique({ where: { StudyInstanceUID: studyInstanceUid }, select: { modelName: true, modelVersion: true } });
    const studyModel = study?.modelName ? `${study.modelName}@${study.modelVersion}` : undefined;
    // The map of the model that scored the study; before it has, the latest map there is.
    const predictions = await this.prisma.slicePrediction.findMany({
      where: { instanceId: row.id, localizationRef: { not: null } },
      orderBy: { inferredAt: 'desc' },
      select: { modelVersion: true, localizationRef: true },
    });
    const chosen = predictions.find((p) => p.modelVersion === studyModel) ?? predictions[0];
    const cam = chosen?.localizationRef ? decodeMaps(chosen.localizationRef) : undefined;
    if (!chosen || !cam) throw new AppError('NOT_FOUND', 'this slice has no localization map');
    const plane = cam.height * cam.width;
    const maps = Object.fromEntries(
      LABELS.map((label, i) => [label, Array.from(cam.maps.subarray(i * plane, (i + 1) * plane), (v) => (Number.isFinite(v) ? Math.min(1, Math.max(0, Math.round(v * 1e4) / 1e4)) : 0))]),
    ) as Record<Label, number[]>;
    return { height: cam.height, width: cam.width, modelVersion: chosen.modelVersion, maps };
  }

  private async findInstance(studyInstanceUid: string, sopInstanceUid: string): Promise<InstanceRow> {
    const row = await this.prisma.instance.findFirst({
      where: { SOPInstanceUID: sopInstanceUid, study: { StudyInstanceUID: studyInstanceUid } },
      select: {
        id: true,
        storedPath: true,
        sha256: true,
        slicePosition: true,
        decodeStatus: true,
        decodeErrorCode: true,
        decodeErrorMessage: true,
        study: { select: { filesPurgedAt: true } },
      },
    });
    if (!row) throw new AppError('NOT_FOUND', 'no such slice in this study');
    if (row.study.filesPurgedAt) {
      throw new AppError('STUDY_FILES_PURGED', `the images of this study were deleted by the retention policy on ${row.study.filesPurgedAt.toISOString().slice(0, 10)}; the results remain`);
    }
    return row;
  }

  private async decode(row: InstanceRow): Promise<ViewerSlice> {
    let bytes: Buffer;
    try {
      bytes = await this.files.read(row.storedPath);
    } catch (err) {
      throw new AppError('NOT_FOUND', 'the stored file of this slice is missing', undefined, { cause: err });
    }
    try {
      const { rows, columns, pixelSpacing, body } = await this.decoder.renderSlice(bytes);
      return { rows, columns, pixelSpacing, position: row.slicePosition, etag: row.sha256, body };
    } catch (err) {
      if (isAppError(err)) throw notDecoded(err.code, err.message);
      throw err;
    }
  }
}

/** 409: the slice exists but cannot be shown; `details.decodeError` carries the decoder's own code. */
function notDecoded(code: string, message: string): AppError {
  return new AppError('SLICE_NOT_DECODED', `this slice could not be decoded (${code})`, { decodeError: { code, message } });
}
