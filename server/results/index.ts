// AI results back to PACS: the study's result as a DICOM Comprehensive SR, queued in the outbox
// when triage decides, sent by C-STORE and/or STOW-RS.
export { buildIchSr, COMPREHENSIVE_SR, RESEARCH_DISCLAIMER, type ResultSoftware } from './build-ich-sr';
export { DICOM_RESULTS_KIND, DISAGREEMENT_REASON, dicomResultsDeliverer, enqueueResultAfterDisagreement, dicomResultsPayloadSchema, enqueueDicomResult, enqueueUpdatedDicomResult, type DicomResultsPayload } from './dicom-results-outbox';
export type { IchResult, ImageRef, ResultDocumentIds } from './ich-result';
export { resolveStudyResult } from './resolve-study-result';
export { RESULTS_ENV, readResultsSettings } from './results-env';
export { sendDicomResult, type ResultsTargets } from './send-dicom-result';
export { snapshotStudyResult, type ResultSnapshot } from './study-result-snapshot';
export { registerDicomResults } from './register-dicom-results';
