import dcmjs from 'dcmjs';

const IMAGES_IN_ACQUISITION = '00201002';
const UIDS = { study: '0020000D', series: '0020000E', sop: '00080018', mediaSop: '00020003' } as const;

/**
 * Re-writes Part-10 files as a scanner that does not announce its slice count would send them:
 * ImagesInAcquisition (0020,1002) removed, and, with `uidSuffix`, new Study/Series/SOP Instance
 * UIDs (the suffix appended, kept within 64 characters) so the same series can be sent again as
 * another study. Pixels and geometry are untouched.
 */
export function asUnannouncedStudy(files: readonly Uint8Array[], uidSuffix?: string): Uint8Array[] {
  return files.map((bytes) => {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const file = dcmjs.data.DicomMessage.readFile(copy, { ignoreErrors: true });
    delete file.dict[IMAGES_IN_ACQUISITION];
    if (uidSuffix !== undefined) {
      for (const tag of [UIDS.study, UIDS.series, UIDS.sop]) {
        const el = file.dict[tag];
        if (el) el.Value = [renamed(String(el.Value[0]), uidSuffix)];
      }
      const meta = file.meta[UIDS.mediaSop];
      if (meta) meta.Value = [renamed(String(meta.Value[0]), uidSuffix)];
    }
    return new Uint8Array(file.write());
  });
}

/** `suffix`: digits without a leading zero, so the new component is a valid UID component. */
function renamed(uid: string, suffix: string): string {
  return `${uid.slice(0, 64 - suffix.length - 1).replace(/\.+$/, '')}.${suffix}`;
}
