export { InferenceEngine } from './inference-engine';
export type { EngineStatus, InferenceEngineOptions, SliceInference } from './inference-engine';
export { EXECUTION_PROVIDERS } from './execution-provider';
export type { ExecutionProvider } from './execution-provider';
export { loadVerifiedModel, parseManifest } from './load-manifest';
export { MicroBatcher } from './micro-batcher';
