import { dicomwebPreflight } from '@/server/dicomweb';
import { retrieveStudy } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: every instance of the study as multipart/related; type="application/dicom". */
export const GET = retrieveStudy;
export const OPTIONS = dicomwebPreflight;
