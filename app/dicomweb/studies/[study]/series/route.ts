import { dicomwebPreflight } from '@/server/dicomweb';
import { searchSeries } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** QIDO-RS: the study's series. */
export const GET = searchSeries;
export const OPTIONS = dicomwebPreflight;
