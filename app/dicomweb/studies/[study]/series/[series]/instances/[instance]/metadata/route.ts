import { dicomwebPreflight } from '@/server/dicomweb';
import { instanceMetadata } from '@/server/dicomweb/dicomweb-handlers';

export const dynamic = 'force-dynamic';

/** WADO-RS: one instance's metadata (DICOM JSON). */
export const GET = instanceMetadata;
export const OPTIONS = dicomwebPreflight;
