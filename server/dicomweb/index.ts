export { DicomwebReader, type StoredInstanceRef } from './dicomweb-reader';
export { DICOMWEB_ENV, viewerUrlFor } from './dicomweb-env';
export { dicomwebPreflight, type DicomwebServices } from './dicomweb-route';
export { ReadWindow } from './read-window';
