// The part of dcmjs 0.52 the phantom writer uses; dcmjs ships no type declarations.
declare module 'dcmjs' {
  /** Denaturalized element: VR and values, keyed by tag hex ("7FE00010"). */
  interface DcmjsElement {
    vr: string;
    Value: unknown[];
  }
  interface DcmjsDicomDict {
    dict: Record<string, DcmjsElement>;
    /** A Part-10 file: preamble, "DICM", meta group, then `dict` in the meta's transfer syntax. */
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, DcmjsElement>) => DcmjsDicomDict;
      DicomMetaDictionary: {
        /** Keyword-named values (`{ PatientID: 'x', _vrMap: { PixelData: 'OW' } }`) to tag-keyed elements. */
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, DcmjsElement>;
      };
    };
  };
  export default dcmjs;
}
