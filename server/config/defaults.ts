/** The model the server and the tools load unless MODEL_MANIFEST says otherwise (see models/MODEL_CARD.md). */
export const DEFAULT_MODEL_MANIFEST = 'models/ich-cnn-3.0.0.json';
