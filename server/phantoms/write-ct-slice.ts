import dcmjs from 'dcmjs';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Identifies this writer in the file meta (a fixed 2.25 UID; it names software, not data). */
const IMPLEMENTATION_CLASS_UID = '2.25.186483795196433526846146298722587330541';

/** Everything one CT slice file says; values are already in their DICOM form. */
export interface CtSliceHeader {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  frameOfReferenceUid: string;
  patientId: string;
  patientName: string;
  patientSex: 'M' | 'F' | 'O';
  /** "045Y". */
  patientAge: string;
  accessionNumber: string;
  /** YYYYMMDD and HHMMSS. */
  studyDate: string;
  studyTime: string;
  seriesNumber: number;
  instanceNumber: number;
  /** Slices in the series, written as ImagesInAcquisition. */
  imagesInAcquisition: number;
  imagePositionPatient: [number, number, number];
  /** [row spacing, column spacing] (mm). */
  pixelSpacing: [number, number];
  sliceThickness: number;
  rows: number;
  columns: number;
  bitsStored: 16 | 12;
  rescaleIntercept: number;
  /** Int16Array: signed (Pixel Representation 1); Uint16Array: unsigned. Row-major, rows x columns. */
  pixels: Int16Array | Uint16Array;
  /** Defaults describe the cartoon phantom: axial, no tilt, ORIGINAL, "SYNTHETIC PHANTOM" labels. */
  imageOrientationPatient?: [number, number, number, number, number, number];
  gantryDetectorTilt?: number;
  imageType?: string[];
  manufacturer?: string;
  manufacturerModelName?: string;
  seriesDescription?: string;
}

/** DS values may hold 16 characters: round positions so none needs more. */
const ds = (v: number): number => Math.round(v * 1e6) / 1e6;

/** Writes one CT Image Storage instance as a DICOM Part-10 file (Explicit VR Little Endian), with dcmjs. */
export function writeCtSlice(h: CtSliceHeader): Uint8Array {
  const signed = h.pixels instanceof Int16Array;
  // dcmjs writes PixelData from whole ArrayBuffers: hand it exactly the pixels' bytes.
  const px = h.pixels;
  const pixelBuffer = px.byteOffset === 0 && px.byteLength === px.buffer.byteLength ? px.buffer : px.slice().buffer;
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: h.imageType ?? ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: h.sopInstanceUid,
    StudyDate: h.studyDate,
    SeriesDate: h.studyDate,
    AcquisitionDate: h.studyDate,
    ContentDate: h.studyDate,
    StudyTime: h.studyTime,
    SeriesTime: h.studyTime,
    AcquisitionTime: h.studyTime,
    ContentTime: h.studyTime,
    AccessionNumber: h.accessionNumber,
    Modality: 'CT',
    Manufacturer: h.manufacturer ?? 'ICH-TRIAGE PHANTOM',
    ReferringPhysicianName: '',
    StudyDescription: 'CT HEAD WITHOUT CONTRAST',
    SeriesDescription: h.seriesDescription ?? `AXIAL ${h.sliceThickness}MM BRAIN (SYNTHETIC PHANTOM)`,
    ManufacturerModelName: h.manufacturerModelName ?? 'SYNTHETIC',
    PatientName: h.patientName,
    PatientID: h.patientId,
    PatientBirthDate: '',
    PatientSex: h.patientSex,
    PatientAge: h.patientAge,
    BodyPartExamined: 'HEAD',
    SliceThickness: h.sliceThickness,
    KVP: 120,
    GantryDetectorTilt: h.gantryDetectorTilt ?? 0,
    ConvolutionKernel: 'STANDARD',
    PatientPosition: 'HFS',
    StudyInstanceUID: h.studyInstanceUid,
    SeriesInstanceUID: h.seriesInstanceUid,
    StudyID: '1',
    SeriesNumber: h.seriesNumber,
    AcquisitionNumber: 1,
    InstanceNumber: h.instanceNumber,
    ImagesInAcquisition: h.imagesInAcquisition,
    ImagePositionPatient: h.imagePositionPatient.map(ds),
    ImageOrientationPatient: (h.imageOrientationPatient ?? [1, 0, 0, 0, 1, 0]).map(ds),
    FrameOfReferenceUID: h.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SliceLocation: ds(h.imagePositionPatient[2]),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: h.rows,
    Columns: h.columns,
    PixelSpacing: h.pixelSpacing.map(ds),
    BitsAllocated: 16,
    BitsStored: h.bitsStored,
    HighBit: h.bitsStored - 1,
    PixelRepresentation: signed ? 1 : 0,
    // Brain and subdural windows, as scanners put in head CT (multi-valued).
    WindowCenter: [40, 80],
    WindowWidth: [80, 200],
    WindowCenterWidthExplanation: ['BRAIN', 'SUBDURAL'],
    RescaleIntercept: h.rescaleIntercept,
    RescaleSlope: 1,
    RescaleType: 'HU',
    PixelData: [pixelBuffer],
    _vrMap: { PixelData: 'OW' },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: h.sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'ICH_PHANTOM_1',
    _vrMap: {},
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}
