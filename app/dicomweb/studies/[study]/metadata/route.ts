import { dicomwebPreflight } from '@/server/dicomweb';
import { studyMetadata } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: the study's metadata (DICOM JSON). */
export const GET = studyMetadata;
export const OPTIONS = dicomwebPreflight;
