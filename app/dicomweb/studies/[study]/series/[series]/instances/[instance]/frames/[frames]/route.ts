import { dicomwebPreflight } from '@/server/dicomweb';
import { retrieveFrames } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: frames (1-based, comma-separated) as multipart/related; type="application/octet-stream". */
export const GET = retrieveFrames;
export const OPTIONS = dicomwebPreflight;
