/**
 * The typed view of one DICOM instance that the rest of the pipeline sees. Values are read from
 * the header as-is (after type conversion); nothing here has been validated against CT
 * expectations yet — that is the job of the checks in this folder.
 */
export interface DicomHeader {
  transferSyntaxUid: string;
  sopClassUid: string | undefined;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** PHI: never log. */
  patientId: string | undefined;
  /** PHI: never log. */
  patientName: string | undefined;
  patientSex: string | undefined;
  patientAge: string | undefined;
  accessionNumber: string | undefined;
  studyDate: string | undefined;
  studyTime: string | undefined;
  modality: string | undefined;
  seriesDescription: string | undefined;
  seriesNumber: number | undefined;
  instanceNumber: number | undefined;
  /** (0020,1002) slices the scanner says this acquisition has: lets a study complete without waiting. */
  imagesInAcquisition: number | undefined;
  /** (0008,0008); e.g. ['ORIGINAL','PRIMARY','AXIAL'] or [...,'LOCALIZER']. */
  imageType: string[];
  convolutionKernel: string | undefined;
  /** (0018,0015), e.g. HEAD; absent in many files. */
  bodyPartExamined: string | undefined;
  /** (0020,0032) x,y,z of the first pixel in mm. */
  imagePositionPatient: [number, number, number] | undefined;
  /** (0020,0037) row direction cosines then column direction cosines. */
  imageOrientationPatient: [number, number, number, number, number, number] | undefined;
  /** (0028,0030) row spacing, column spacing in mm. */
  pixelSpacing: [number, number] | undefined;
  sliceThickness: number | undefined;
  gantryDetectorTilt: number | undefined;
  rows: number;
  columns: number;
  numberOfFrames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometricInterpretation: string;
  planarConfiguration: number | undefined;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Window centres/widths as stored; multi-valued attributes give several entries. */
  windowCenter: number[];
  windowWidth: number[];
  /** (0028,0120) in stored-value units, when present. */
  pixelPaddingValue: number | undefined;
  pixelPaddingRangeLimit: number | undefined;
}

/** Raw stored pixel values of one frame, before any rescale. */
export interface StoredFrame {
  rows: number;
  columns: number;
  /** Int16/Uint16 for 16-bit data, Int8/Uint8 for 8-bit, Int32/Uint32 for 32-bit. */
  pixels: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
}

/** A slice in Hounsfield units, row-major, rows x columns. Padding pixels are set to air (-1024). */
export interface HuImage {
  rows: number;
  columns: number;
  hu: Float32Array;
}

/** A non-fatal oddity noticed while reading a file (kept, reported, never thrown). */
export interface DicomWarning {
  code: string;
  message: string;
}
