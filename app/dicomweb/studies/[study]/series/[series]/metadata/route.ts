import { dicomwebPreflight } from '@/server/dicomweb';
import { seriesMetadata } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: the series' metadata (DICOM JSON). */
export const GET = seriesMetadata;
export const OPTIONS = dicomwebPreflight;
