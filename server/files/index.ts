export { DicomFileStore, type InstanceIds, type StoredInstance } from './dicom-file-store';
export { writeFileDurably } from './durable-write';
export { walkFiles } from './walk-files';
export { removeStaleTempFiles } from './remove-stale-temp-files';
