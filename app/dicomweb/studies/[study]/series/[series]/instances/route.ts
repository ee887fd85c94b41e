import { dicomwebPreflight } from '@/server/dicomweb';
import { searchSeriesInstances } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** QIDO-RS: the series' instances. */
export const GET = searchSeriesInstances;
export const OPTIONS = dicomwebPreflight;
