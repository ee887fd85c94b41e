/**
 * The model the server and the tools load unless MODEL_MANIFEST says otherwise. Until the trained
 * model is committed this is the tiny test model: the pipeline runs end to end, and the health
 * endpoint and dashboard name the model, so nobody mistakes its scores for a real one's.
 */
export const DEFAULT_MODEL_MANIFEST = 'models/test-model/tiny-test-0.1.0.json';
