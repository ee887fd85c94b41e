// The public surface of the phantom generator: synthetic head-CT studies with hemorrhage ground truth.
export { generatePhantomStudy, FIELD_OF_VIEW_MM } from './generate-phantom-study';
export { writePhantomStudies, mixHemorrhage, demoMixHemorrhage, generateStudyOfKind, PHANTOM_KINDS, type PhantomKind, type PhantomMix, type WritePhantomStudiesOptions, type WrittenStudy } from './write-phantom-studies';
export { generateDemoStudy, type DemoStudyOptions } from './generate-demo-study';
export { loadDemoAnatomy, type DemoAnatomy } from './load-demo-anatomy';
export { truthCsvRows, TRUTH_CSV_HEADER } from './truth-csv';
export { recompressDicom, hasTool, RECOMPRESSIONS, type Recompression, type RecompressionName } from './recompress-dicom';
export { createRandom, deriveSeed, type Random } from './random';
export { TISSUE, type PhantomOptions, type PhantomSlice, type PhantomSliceMasks, type PhantomStudy, type PixelFormat, type Subtype, type Tissue } from './types';
