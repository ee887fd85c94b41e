import dcmjs from 'dcmjs';
import { IMPLEMENTATION_CLASS_UID } from '@/server/ingest/dimse/part10';
import type { ResultSoftware } from './build-ich-sr';
import { dicomDate, dicomTime, studyAndPatientModules } from './result-study-modules';
import type { IchResult, ImageRef } from './ich-result';
import type { KeySliceImage } from './render-key-slice';

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** The series number of the key-slice pictures (after the SR's 9901). */
export const RESULT_SC_SERIES_NUMBER = 9902;


/**
 * The key slice with the evidence overlay and the research label burned in, as a Secondary
 * Capture Image (RGB, Part-10 bytes), in the study of its images and derived from `source`.
 */
export function buildKeySliceSc(
  result: Pick<IchResult, 'studyInstanceUid' | 'patientStudy' | 'algorithm' | 'decidedAt'>,
  image: KeySliceImage,
  source: ImageRef,
  ids: { seriesInstanceUid: string; sopInstanceUid: string; instanceNumber: number },
  software: ResultSoftware,
  now = new Date(),
): Uint8Array {
  // dcmjs writes PixelData from whole ArrayBuffers.
  const pixels = image.rgb.byteOffset === 0 && image.rgb.byteLength === image.rgb.buffer.byteLength ? image.rgb.buffer : image.rgb.slice().buffer;
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'SECONDARY'],
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    SOPClassUID: SECONDARY_CAPTURE,
    SOPInstanceUID: ids.sopInstanceUid,
    ...studyAndPatientModules(result),
    Modality: 'OT',
    ConversionType: 'WSD',
    SeriesInstanceUID: ids.seriesInstanceUid,
    SeriesNumber: RESULT_SC_SERIES_NUMBER,
    SeriesDescription: 'AI result: key slice with evidence (research)',
    Manufacturer: software.manufacturer,
    SoftwareVersions: software.softwareVersion,
    InstanceNumber: ids.instanceNumber,
    ContentDate: dicomDate(result.decidedAt),
    ContentTime: dicomTime(result.decidedAt),
    PatientOrientation: '',
    BurnedInAnnotation: 'YES',
    DerivationDescription: `Brain window 40/80 with the evidence map of ${result.algorithm.name} ${result.algorithm.version}; research result, not for diagnosis`,
    SourceImageSequence: [{ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid }],
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: image.rows,
    Columns: image.columns,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    PixelData: [pixels],
    _vrMap: { PixelData: 'OB' },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SECONDARY_CAPTURE,
    MediaStorageSOPInstanceUID: ids.sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'ICH_TRIAGE',
    _vrMap: {},
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}
