import { dicomwebPreflight } from '@/server/dicomweb';
import { searchStudyInstances } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** QIDO-RS: the study's instances. */
export const GET = searchStudyInstances;
export const OPTIONS = dicomwebPreflight;
