import { AppError } from '@/lib/errors';
import type { DbClient } from '@/server/db';
import type { DicomFileStore } from '@/server/files';
import { fromKeywords, readDataset, toDicomJson, type DicomJson } from './dicom-json';
import type { QidoQuery, TextMatch } from './qido-query';

// Attributes answered at each level (PS3.18 Table 10.6.3-3..5), taken from a stored header.
const PATIENT_STUDY_TAGS = ['00080020', '00080030', '00080050', '00080090', '00081030', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010'];
const SERIES_TAGS = ['00080021', '00080031', '00080060', '0008103E', '00180015', '0020000E', '00200011'];
const INSTANCE_TAGS = ['00080016', '00080018', '00200013', '00280008', '00280010', '00280011', '00280100'];

/** One stored instance of a WADO-RS retrieval. */
export interface StoredInstanceRef {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  storedPath: string;
}

function textWhere(m: TextMatch | undefined): object | undefined {
  if (!m || 'any' in m) return undefined;
  return m;
}

function pick(dataset: DicomJson, tags: readonly string[]): DicomJson {
  const out: DicomJson = {};
  for (const t of tags) if (dataset[t]) out[t] = dataset[t];
  return out;
}

/**
 * What DICOMweb reads (server/dicomweb): QIDO-RS matching in the database, attributes from the
 * stored headers (read with dcmjs), and the stored files for WADO-RS. Only studies whose images
 * are still held (not purged by retention) are found.
 */
export class DicomwebReader {
  constructor(
    private readonly prisma: DbClient,
    private readonly files: DicomFileStore,
  ) {}

  /** QIDO-RS studies: newest first, `limit`/`offset` paged. */
  async searchStudies(q: QidoQuery, base: string): Promise<DicomJson[]> {
    const studies = await this.prisma.study.findMany({
      where: {
        filesPurgedAt: null,
        ...(q.StudyInstanceUID ? { StudyInstanceUID: { in: q.StudyInstanceUID } } : {}),
        ...(textWhere(q.PatientID) ? { PatientID: textWhere(q.PatientID) } : {}),
        ...(textWhere(q.PatientName) ? { PatientName: textWhere(q.PatientName) } : {}),
        ...(textWhere(q.AccessionNumber) ? { AccessionNumber: textWhere(q.AccessionNumber) } : {}),
        ...(textWhere(q.StudyDescription) ? { StudyDescription: textWhere(q.StudyDescription) } : {}),
        ...(q.StudyDate ? { StudyDate: { ...(q.StudyDate.from ? { gte: q.StudyDate.from } : {}), ...(q.StudyDate.to ? { lte: q.StudyDate.to } : {}) } } : {}),
        ...(q.ModalitiesInStudy ? { series: { some: { Modality: { in: q.ModalitiesInStudy } } } } : {}),
        instances: { some: {} },
      },
      orderBy: [{ receivedAt: 'desc' }, { id: 'asc' }],
      skip: q.offset,
      take: q.limit,
      select: { id: true, StudyInstanceUID: true, series: { select: { Modality: true, instanceCount: true } }, instances: { take: 1, select: { storedPath: true } } },
    });
    const out: DicomJson[] = [];
    for (const s of studies) {
      const header = await this.header(s.instances[0]?.storedPath);
      const modalities = [...new Set(s.series.map((x) => x.Modality).filter((m): m is string => !!m))].sort();
      out.push({
        ...pick(header, PATIENT_STUDY_TAGS),
        ...fromKeywords({
          StudyInstanceUID: s.StudyInstanceUID,
          ModalitiesInStudy: modalities,
          NumberOfStudyRelatedSeries: s.series.length,
          NumberOfStudyRelatedInstances: s.series.reduce((n, x) => n + x.instanceCount, 0),
          RetrieveURL: `${base}/studies/${s.StudyInstanceUID}`,
        }),
      });
    }
    return out;
  }

  /** QIDO-RS series of one study. */
  async searchSeries(studyInstanceUid: string, q: QidoQuery, base: string): Promise<DicomJson[]> {
    await this.heldStudy(studyInstanceUid);
    const series = await this.prisma.series.findMany({
      where: {
        study: { StudyInstanceUID: studyInstanceUid },
        ...(q.SeriesInstanceUID ? { SeriesInstanceUID: { in: q.SeriesInstanceUID } } : {}),
        ...(q.Modality ? { Modality: q.Modality } : {}),
      },
      orderBy: [{ SeriesNumber: 'asc' }, { SeriesInstanceUID: 'asc' }],
      skip: q.offset,
      take: q.limit,
      select: { SeriesInstanceUID: true, instanceCount: true, instances: { take: 1, select: { storedPath: true } } },
    });
    const out: DicomJson[] = [];
    for (const s of series) {
      const header = await this.header(s.instances[0]?.storedPath);
      out.push({
        ...pick(header, [...PATIENT_STUDY_TAGS, ...SERIES_TAGS]),
        ...fromKeywords({
          NumberOfSeriesRelatedInstances: s.instanceCount,
          RetrieveURL: `${base}/studies/${studyInstanceUid}/series/${s.SeriesInstanceUID}`,
        }),
      });
    }
    return out;
  }

  /** QIDO-RS instances of a study, or of one of its series. */
  async searchInstances(studyInstanceUid: string, seriesInstanceUid: string | undefined, q: QidoQuery, base: string): Promise<DicomJson[]> {
    await this.heldStudy(studyInstanceUid);
    const series = seriesInstanceUid ? [seriesInstanceUid] : q.SeriesInstanceUID;
    const rows = await this.prisma.instance.findMany({
      where: {
        study: { StudyInstanceUID: studyInstanceUid },
        ...(series ? { series: { SeriesInstanceUID: { in: series } } } : {}),
        ...(q.SOPInstanceUID ? { SOPInstanceUID: { in: q.SOPInstanceUID } } : {}),
      },
      orderBy: [{ seriesId: 'asc' }, { InstanceNumber: 'asc' }, { SOPInstanceUID: 'asc' }],
      skip: q.offset,
      take: q.limit,
      select: { SOPInstanceUID: true, storedPath: true, series: { select: { SeriesInstanceUID: true } } },
    });
    const out: DicomJson[] = [];
    for (const r of rows) {
      const header = await this.header(r.storedPath);
      out.push({
        ...pick(header, [...PATIENT_STUDY_TAGS, ...SERIES_TAGS, ...INSTANCE_TAGS]),
        ...fromKeywords({ RetrieveURL: `${base}/studies/${studyInstanceUid}/series/${r.series.SeriesInstanceUID}/instances/${r.SOPInstanceUID}` }),
      });
    }
    return out;
  }

  /** The stored instances a WADO-RS request names, in series and instance order; 404 when none, 410 when purged. */
  async instances(studyInstanceUid: string, seriesInstanceUid?: string, sopInstanceUid?: string): Promise<StoredInstanceRef[]> {
    await this.heldStudy(studyInstanceUid);
    const rows = await this.prisma.instance.findMany({
      where: {
        study: { StudyInstanceUID: studyInstanceUid },
        ...(seriesInstanceUid ? { series: { SeriesInstanceUID: seriesInstanceUid } } : {}),
        ...(sopInstanceUid ? { SOPInstanceUID: sopInstanceUid } : {}),
      },
      orderBy: [{ seriesId: 'asc' }, { InstanceNumber: 'asc' }, { SOPInstanceUID: 'asc' }],
      select: { SOPInstanceUID: true, storedPath: true, series: { select: { SeriesInstanceUID: true } } },
    });
    if (rows.length === 0) throw new AppError('NOT_FOUND', sopInstanceUid ? 'no such instance' : seriesInstanceUid ? 'no such series' : 'no such study');
    return rows.map((r) => ({ studyInstanceUid, seriesInstanceUid: r.series.SeriesInstanceUID, sopInstanceUid: r.SOPInstanceUID, storedPath: r.storedPath }));
  }

  /** A stored file's bytes, exactly as received. */
  read(ref: StoredInstanceRef): Promise<Buffer> {
    return this.files.read(ref.storedPath);
  }

  /** WADO-RS metadata: every attribute but the pixels, which are a BulkDataURI to the frames resource. */
  async metadata(refs: StoredInstanceRef[], base: string): Promise<DicomJson[]> {
    const out: DicomJson[] = [];
    for (const ref of refs) {
      const dataset = readDataset(await this.read(ref));
      const frames = Number(dataset['00280008']?.Value?.[0] ?? 1) || 1;
      const uri = `${base}/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}/instances/${ref.sopInstanceUid}/frames/${Array.from({ length: frames }, (_, i) => i + 1).join(',')}`;
      out.push(toDicomJson({ ...dataset, '7FE00010': { vr: 'OW', Value: [] } }, uri));
    }
    return out;
  }

  private async heldStudy(studyInstanceUid: string): Promise<void> {
    const study = await this.prisma.study.findUnique({ where: { StudyInstanceUID: studyInstanceUid }, select: { filesPurgedAt: true } });
    if (!study) throw new AppError('NOT_FOUND', 'no such study');
    if (study.filesPurgedAt) throw new AppError('STUDY_FILES_PURGED', 'the retention policy deleted this study\'s images');
  }

  private async header(storedPath: string | undefined): Promise<DicomJson> {
    if (!storedPath) return {};
    try {
      return toDicomJson(readDataset(await this.files.read(storedPath)));
    } catch {
      // A file removed under us (retention racing the query): answer what the database holds.
      return {};
    }
  }
}
