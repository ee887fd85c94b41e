import { dicomwebPreflight } from '@/server/dicomweb';
import { retrieveSeries } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: every instance of the series. */
export const GET = retrieveSeries;
export const OPTIONS = dicomwebPreflight;
