/** The ONNX Runtime execution providers the engine may use, in the order configuration gives. */
export const EXECUTION_PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
