// The study view's server side: stored slices as HU for the canvas viewer, and their localization maps.
export { SliceViewer, type SliceViewerService, type ViewerSlice } from './slice-viewer';
export { encodeHuInt16LE } from './encode-hu';
