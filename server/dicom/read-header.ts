import type { DataSet } from 'dicom-parser';
import { classifyUid, UID_RULE } from '@/lib/dicom-uid';
import { AppError } from '@/lib/errors';
import { isCtSopClass } from './check-is-ct';
import { TAG, type TagKeyword } from './tags';
import type { DicomHeader, DicomWarning } from './types';

/** Reads attributes off one dataset; non-fatal oddities are pushed to `warnings`. */
class AttributeReader {
  constructor(
    private readonly ds: DataSet,
    private readonly warnings: DicomWarning[],
  ) {}

  has(k: TagKeyword): boolean {
    return this.ds.elements[TAG[k]] !== undefined;
  }

  /** A string attribute, trimmed; empty values read as absent. */
  str(k: TagKeyword): string | undefined {
    const v = this.ds.string(TAG[k]);
    return v === undefined || v === '' ? undefined : v;
  }

  /** An unsigned short (US); absent or empty reads as undefined. */
  us(k: TagKeyword): number | undefined {
    return this.ds.uint16(TAG[k]);
  }

  /** A numeric string (IS or DS), value `index`; unparsable values are dropped with a warning. */
  numStr(k: TagKeyword, index = 0): number | undefined {
    const raw = this.ds.string(TAG[k], index);
    if (raw === undefined || raw === '') return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v)) {
      this.warnings.push({ code: 'BAD_NUMBER', message: `${k} value ${index + 1} is not a number: ${JSON.stringify(raw.slice(0, 32))}` });
      return undefined;
    }
    return v;
  }

  /** Every value of a multi-valued numeric string; unparsable entries are dropped. */
  numList(k: TagKeyword): number[] {
    const count = this.has(k) ? (this.ds.numStringValues(TAG[k]) ?? 0) : 0;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const v = this.numStr(k, i);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** Exactly `n` numbers, or undefined with a warning when present but malformed. */
  numTuple(k: TagKeyword, n: number): number[] | undefined {
    if (!this.has(k)) return undefined;
    const values = this.numList(k);
    if (values.length === n) return values;
    this.warnings.push({ code: 'BAD_MULTIPLICITY', message: `${k} has ${values.length} numeric values, expected ${n}; ignored` });
    return undefined;
  }
}

/**
 * An identifying UID (study, series, instance: they become file names and URL segments). Unsafe
 * characters are refused (DICOM_INVALID_UID); safe but non-conformant ones, such as the RSNA 2019
 * challenge's `ID_0a1b2c3d4`, are accepted with a UID_NOT_CONFORMANT warning (lib/dicom-uid.ts).
 */
function requireUid(r: AttributeReader, warnings: DicomWarning[], k: TagKeyword, fallback?: TagKeyword): string {
  const v = r.str(k) ?? (fallback ? r.str(fallback) : undefined);
  if (v === undefined) throw new AppError('DICOM_MISSING_ATTRIBUTE', `missing ${k} (${TAG[k].slice(1, 5)},${TAG[k].slice(5)})`, { attribute: k });
  const kind = classifyUid(v);
  if (kind === 'unsafe') throw new AppError('DICOM_INVALID_UID', `${k} is not a DICOM UID (${UID_RULE})`, { attribute: k });
  if (kind === 'non-conformant') warnings.push({ code: 'UID_NOT_CONFORMANT', message: `${k} is not a conformant DICOM UID (digits and dots, PS3.5 9.1); accepted as it is made of safe characters` });
  return v;
}

function requireUs(r: AttributeReader, k: TagKeyword): number {
  const v = r.us(k);
  if (v === undefined) throw new AppError('DICOM_MISSING_ATTRIBUTE', `missing ${k} (${TAG[k].slice(1, 5)},${TAG[k].slice(5)})`, { attribute: k });
  return v;
}

/**
 * Maps a parsed dataset to the typed header. Throws DICOM_MISSING_ATTRIBUTE for the UIDs and, when
 * `isImage`, for Rows, Columns and Bits Allocated; other gaps take the standard's default with a
 * warning.
 */
export function readHeader(ds: DataSet, transferSyntaxUid: string, isImage: boolean, warnings: DicomWarning[]): DicomHeader {
  const r = new AttributeReader(ds, warnings);
  const sopInstanceUid = requireUid(r, warnings, 'SOPInstanceUID', 'MediaStorageSOPInstanceUID');
  const studyInstanceUid = requireUid(r, warnings, 'StudyInstanceUID');
  const seriesInstanceUid = requireUid(r, warnings, 'SeriesInstanceUID');
  const sopClassUid = r.str('SOPClassUID') ?? r.str('MediaStorageSOPClassUID');
  const modality = r.str('Modality');
  const isCt = modality === 'CT' || (modality === undefined && isCtSopClass(sopClassUid));

  // A header-only read of a non-image still yields a header; zero marks "no image" there.
  const rows = isImage ? requireUs(r, 'Rows') : (r.us('Rows') ?? 0);
  const columns = isImage ? requireUs(r, 'Columns') : (r.us('Columns') ?? 0);
  const bitsAllocated = isImage ? requireUs(r, 'BitsAllocated') : (r.us('BitsAllocated') ?? 0);
  const bitsStored = r.us('BitsStored') ?? defaulted(warnings, 'BitsStored', bitsAllocated);
  const highBit = r.us('HighBit') ?? defaulted(warnings, 'HighBit', bitsStored - 1);
  const pixelRepresentationRaw = r.us('PixelRepresentation') ?? defaulted(warnings, 'PixelRepresentation', 0);
  const pixelRepresentation: 0 | 1 = pixelRepresentationRaw === 1 ? 1 : 0;
  if (pixelRepresentationRaw > 1) {
    warnings.push({ code: 'BAD_VALUE', message: `PixelRepresentation ${pixelRepresentationRaw} is not 0 or 1; read as unsigned` });
  }

  let rescaleSlope = r.numStr('RescaleSlope');
  let rescaleIntercept = r.numStr('RescaleIntercept');
  if (isCt && (rescaleSlope === undefined || rescaleIntercept === undefined)) {
    warnings.push({ code: 'RESCALE_MISSING', message: 'CT image without Rescale Slope/Intercept: stored values taken as HU' });
  }
  if (rescaleSlope === 0) {
    warnings.push({ code: 'BAD_VALUE', message: 'RescaleSlope is 0; using 1' });
    rescaleSlope = undefined;
  }
  rescaleSlope ??= 1;
  rescaleIntercept ??= 0;

  // Pixel Padding Value has VR US or SS depending on Pixel Representation (PS3.3 C.7.5.1.1.2).
  const signedValue = (k: TagKeyword) => (pixelRepresentation === 1 ? ds.int16(TAG[k]) : ds.uint16(TAG[k]));

  return {
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid,
    seriesInstanceUid,
    patientId: r.str('PatientID'),
    patientName: r.str('PatientName'),
    patientSex: r.str('PatientSex'),
    patientAge: r.str('PatientAge'),
    accessionNumber: r.str('AccessionNumber'),
    studyDate: r.str('StudyDate'),
    studyTime: r.str('StudyTime'),
    modality,
    seriesDescription: r.str('SeriesDescription'),
    seriesNumber: r.numStr('SeriesNumber'),
    instanceNumber: r.numStr('InstanceNumber'),
    imagesInAcquisition: r.numStr('ImagesInAcquisition'),
    imageType: (r.str('ImageType') ?? '').split('\\').map((s) => s.trim()).filter((s) => s !== ''),
    convolutionKernel: r.str('ConvolutionKernel'),
    bodyPartExamined: r.str('BodyPartExamined'),
    imagePositionPatient: r.numTuple('ImagePositionPatient', 3) as DicomHeader['imagePositionPatient'],
    imageOrientationPatient: r.numTuple('ImageOrientationPatient', 6) as DicomHeader['imageOrientationPatient'],
    pixelSpacing: r.numTuple('PixelSpacing', 2) as DicomHeader['pixelSpacing'],
    sliceThickness: r.numStr('SliceThickness'),
    gantryDetectorTilt: r.numStr('GantryDetectorTilt'),
    rows,
    columns,
    numberOfFrames: r.numStr('NumberOfFrames') ?? 1,
    samplesPerPixel: r.us('SamplesPerPixel') ?? (isImage ? defaulted(warnings, 'SamplesPerPixel', 1) : 1),
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometricInterpretation: r.str('PhotometricInterpretation') ?? (isImage ? defaulted(warnings, 'PhotometricInterpretation', 'MONOCHROME2') : 'MONOCHROME2'),
    planarConfiguration: r.us('PlanarConfiguration'),
    rescaleSlope,
    rescaleIntercept,
    windowCenter: r.numList('WindowCenter'),
    windowWidth: r.numList('WindowWidth'),
    pixelPaddingValue: signedValue('PixelPaddingValue'),
    pixelPaddingRangeLimit: signedValue('PixelPaddingRangeLimit'),
  };
}

function defaulted<T extends string | number>(warnings: DicomWarning[], k: TagKeyword, value: T): T {
  warnings.push({ code: 'ATTRIBUTE_DEFAULTED', message: `missing ${k}; assumed ${value}` });
  return value;
}
