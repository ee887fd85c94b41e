import { isAppError } from '@/lib/errors';
import type { DbClient } from '@/server/db';
import { ByteLru } from '@/server/cache/byte-lru';
import { parseDicom, type DicomHeader } from '@/server/dicom';
import { checkSliceUsable } from '@/server/dicom/check-slice-usable';
import { InlineSliceDecoder, type SliceDecoder } from '@/server/decode-pool';
import type { InferenceEngine } from '@/server/inference';
import type { DicomFileStore } from '@/server/files';
import type { HuCache } from './hu-cache';
import { encodeMaps } from './map-encoding';
import { assembleContextTensor } from './model-planes';

export type SliceOutcome = { status: 'analysed' | 'failed'; studyId: string; seriesId: string };

interface SliceRow {
  id: string;
  studyId: string;
  seriesId: string;
  storedPath: string;
  slicePosition: number | null;
  decodeStatus: string;
}

/**
 * Decode → tensor → model for slices, writing one SlicePrediction per slice and model version.
 * Decoding runs on `decoder` (the worker pool in the server), several slices at once, and turns
 * each file straight from its stored values into its planes at model resolution (one per distinct
 * window; server/analysis/model-planes.ts), which the cache keeps for the neighbours of 2.5D
 * models; a slice's input is then copied together from its and its neighbours' planes.
 * A file that cannot be decoded is marked failed with its error code and message (it is still
 * listed, never silently skipped); a model failure is thrown so the job is retried.
 */
export class SliceAnalyser {
  /** Headers of decoded slices, so finalising a study does not read every file again (a few KB each). */
  private readonly headers = new ByteLru<DicomHeader>(16 * 1024 * 1024, () => 4096);

  constructor(
    private readonly prisma: DbClient,
    private readonly files: DicomFileStore,
    private readonly engine: InferenceEngine,
    private readonly cache: HuCache,
    private readonly decoder: SliceDecoder = new InlineSliceDecoder(),
  ) {}

  private get usesNeighbours(): boolean {
    return this.engine.manifest.preprocess.windows.some((w) => (w.sliceOffset ?? 0) !== 0);
  }

  /**
   * Analyses newly received slices, each with whatever neighbours its series has so far. All
   * slices are decoded first and then submitted together, so the engine runs them as one batch.
   */
  async analyseInstances(instanceIds: readonly string[]): Promise<Map<string, SliceOutcome>> {
    const rows = new Map((await this.prisma.instance.findMany({ where: { id: { in: [...instanceIds] } } })).map((r) => [r.id, r]));
    const outcomes = new Map<string, SliceOutcome>();
    const decoded: SliceRow[] = [];
    // All at once: the pool decodes them on as many workers as it has (inline, one after another).
    const present = instanceIds.flatMap((id) => rows.get(id) ?? []); // a study deleted meanwhile has none
    const images = await Promise.all(present.map((row) => this.decode(row)));
    present.forEach((row, i) => {
      outcomes.set(row.id, { status: images[i] ? 'analysed' : 'failed', studyId: row.studyId, seriesId: row.seriesId });
      if (images[i]) decoded.push(row);
    });
    // Provisional: neighbours not received (or no longer cached) yet are stood in for by the slice.
    // One neighbour query per series in the group, not one per slice.
    const seriesRows = new Map<string, SliceRow[]>();
    if (this.usesNeighbours) {
      for (const seriesId of new Set(decoded.map((r) => r.seriesId))) seriesRows.set(seriesId, await this.decodedRows(seriesId));
    }
    await this.inferAndStore(decoded.map((row) => ({ row, neighbours: seriesRows.get(row.seriesId) ?? [] })));
    return outcomes;
  }

  /**
   * Re-runs a whole series with every slice's final neighbours (2.5D models only; for a single-
   * slice model the per-slice results are already final). Slices go to the engine together so
   * they batch.
   */
  async finaliseSeries(seriesId: string): Promise<void> {
    if (!this.usesNeighbours) return;
    const rows = await this.decodedRows(seriesId);
    // Every neighbour must be in memory before any tensor is built; the cache holds a series.
    await Promise.all(rows.map((row) => this.load(row)));
    await this.inferAndStore(rows.map((row, i) => ({ row, neighbours: rows.slice(Math.max(0, i - 8), i + 9) })));
  }

  private async decodedRows(seriesId: string): Promise<SliceRow[]> {
    return this.prisma.instance.findMany({
      where: { seriesId, decodeStatus: 'decoded' },
      orderBy: [{ slicePosition: 'asc' }, { InstanceNumber: 'asc' }],
    });
  }

  private async inferAndStore(items: { row: SliceRow; neighbours: SliceRow[] }[]): Promise<void> {
    const spec = this.engine.manifest.preprocess;
    const { name, version } = this.engine.manifest;
    const offsets = [...new Set(spec.windows.map((w) => w.sliceOffset ?? 0))].filter((o) => o !== 0);
    const built = await Promise.all(
      items.map(async ({ row, neighbours }) => {
        const self = await this.load(row);
        if (!self) return undefined;
        // The slice and the neighbours its channels read; one not received (or no longer cached)
        // is left out, and the slice itself stands in for it (assembleContextTensor).
        const at = neighbours.findIndex((n) => n.id === row.id);
        const planes = new Map<number, Float32Array>([[0, self]]);
        for (const offset of offsets) {
          const n = at >= 0 ? neighbours[at + offset] : undefined;
          const cached = n ? this.cached(n.id) : undefined;
          if (cached) planes.set(offset, cached);
        }
        // Copies of a few planes (5 x 64 KB for the shipped model): cheap enough for the event loop.
        return { row, tensor: assembleContextTensor(spec, (offset) => planes.get(offset)) };
      }),
    );
    const ready = built.filter((b) => b !== undefined);
    // Submitted in one go: the micro-batcher turns them into as few model runs as it can.
    const results = await Promise.all(ready.map(async ({ row, tensor }) => ({ row, inference: await this.engine.infer(tensor) })));
    for (const r of results) {
      const p = r.inference.probabilities;
      const data = {
        studyId: r.row.studyId,
        anyProbability: p.any,
        epiduralProbability: p.epidural,
        intraparenchymalProbability: p.intraparenchymal,
        intraventricularProbability: p.intraventricular,
        subarachnoidProbability: p.subarachnoid,
        subduralProbability: p.subdural,
        localizationRef: r.inference.cam ? encodeMaps(r.inference.cam) : null,
        inferredAt: new Date(),
      };
      const modelVersion = `${name}@${version}`;
      await this.prisma.slicePrediction.upsert({
        where: { instanceId_modelVersion: { instanceId: r.row.id, modelVersion } },
        create: { instanceId: r.row.id, modelVersion, ...data },
        update: data,
      });
    }
  }

  /** A slice's header: kept from its decode, or read from the stored file (e.g. after a restart). */
  async headerOf(row: { id: string; storedPath: string }): Promise<DicomHeader> {
    return this.headers.get(row.id) ?? parseDicom(await this.files.read(row.storedPath), { headerOnly: true }).header;
  }

  /** A slice's planes for the loaded model when the cache has them. */
  private cached(id: string): Float32Array | undefined {
    const hit = this.cache.get(id);
    return hit && hit.spec === this.engine.manifest.preprocess ? hit.planes : undefined;
  }

  /** Planes from the cache or the stored file; decodes and caches on a miss. */
  private async load(row: SliceRow): Promise<Float32Array | undefined> {
    return this.cached(row.id) ?? this.decode(row);
  }

  private async decode(row: SliceRow): Promise<Float32Array | undefined> {
    try {
      // The brain area is measured once, at the first decode: finalisation refuses a series with no brain on any slice.
      const firstDecode = row.decodeStatus !== 'decoded';
      const spec = this.engine.manifest.preprocess;
      const slice = await this.decoder.decodeForModel(await this.files.read(row.storedPath), spec, { measureBrain: firstDecode });
      checkSliceUsable(slice.header);
      this.cache.set(row.id, { spec, planes: slice.planes });
      this.headers.set(row.id, slice.header);
      if (firstDecode) {
        const brainAreaMm2 = slice.brainAreaMm2 ?? null;
        await this.prisma.instance.update({ where: { id: row.id }, data: { decodeStatus: 'decoded', decodeErrorCode: null, decodeErrorMessage: null, brainAreaMm2 } });
        row.decodeStatus = 'decoded';
      }
      return slice.planes;
    } catch (err) {
      if (!isAppError(err)) throw err; // unexpected: let the job retry and log it
      await this.prisma.instance.update({
        where: { id: row.id },
        data: { decodeStatus: 'failed', decodeErrorCode: err.code, decodeErrorMessage: err.message.slice(0, 500) },
      });
      row.decodeStatus = 'failed';
      return undefined;
    }
  }
}
