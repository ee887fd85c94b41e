import { dicomwebPreflight } from '@/server/dicomweb';
import { retrieveInstance } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: one instance, as stored. */
export const GET = retrieveInstance;
export const OPTIONS = dicomwebPreflight;
