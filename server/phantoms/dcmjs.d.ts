// The part of dcmjs 0.52 the phantom writer and DICOMweb (server/dicomweb) use; dcmjs ships no type declarations.
declare module 'dcmjs' {
  /** Denaturalized element: VR and values, keyed by tag hex ("7FE00010"). */
  export interface DcmjsElement {
    vr: string;
    Value: unknown[];
    /** Bulk data written as a reference instead of inline (DICOM JSON, PS3.18 F.2.6). */
    BulkDataURI?: string;
    InlineBinary?: string;
  }
  interface DcmjsDicomDict {
    meta: Record<string, DcmjsElement>;
    dict: Record<string, DcmjsElement>;
    /** A Part-10 file: preamble, "DICM", meta group, then `dict` in the meta's transfer syntax. */
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, DcmjsElement>) => DcmjsDicomDict;
      DicomMessage: {
        /** Parses a Part 10 file; `untilTag` stops before that tag (e.g. "7FE00010", pixel data). */
        readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean; noCopy?: boolean }): DcmjsDicomDict;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, DcmjsElement>): Record<string, unknown>;
        /** Keyword-named values (`{ PatientID: 'x', _vrMap: { PixelData: 'OW' } }`) to tag-keyed elements. */
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, DcmjsElement>;
      };
    };
  };
  export default dcmjs;
}
