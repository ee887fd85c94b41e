import { AppError } from '@/lib/errors';
import type { DicomHeader } from './types';

/** CT Image, Enhanced CT Image and Legacy Converted Enhanced CT Image Storage. */
const CT_SOP_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.2.1', '1.2.840.10008.5.1.4.1.1.2.2']);

/**
 * Throws DICOM_NOT_CT unless the image is CT: Modality CT, or (Modality missing) a CT SOP class.
 * Kept apart from decoding so tools can still read and report other modalities.
 */
export function checkIsCt(header: Pick<DicomHeader, 'modality' | 'sopClassUid'>): void {
  const modality = header.modality?.trim().toUpperCase();
  if (modality === 'CT') return;
  if (modality === undefined && header.sopClassUid !== undefined && CT_SOP_CLASSES.has(header.sopClassUid)) return;
  throw new AppError(
    'DICOM_NOT_CT',
    modality === undefined ? 'no Modality (0008,0060) and not a CT SOP class: not a CT image' : `modality ${modality} is not CT`,
    { modality: modality ?? null },
  );
}

/** True for the CT storage SOP classes. */
export function isCtSopClass(uid: string | undefined): boolean {
  return uid !== undefined && CT_SOP_CLASSES.has(uid);
}
