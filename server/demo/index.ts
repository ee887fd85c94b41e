// The public surface of the demo stage: a simulated scanner and the C-STORE sender it (and
// `npm run simulate`) use to feed a DICOM listener.
export { CStoreClient, type CStoreBatchResult, type CStoreResult, type CStoreTarget, type CStoreTimeouts } from './cstore-client';
export { DemoScanner, type DemoScannerOptions, type DemoStudyReport } from './demo-scanner';
export { PhantomGenerator, type GeneratedPhantom, type PhantomJob } from './phantom-generator';
export { collectStudies, type CollectedStudy } from './collect-studies';
export { parseDimseTarget } from './parse-dimse-target';
export { quietDicomLibraries, toDimseDataset } from './to-dimse-dataset';
