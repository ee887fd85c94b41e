import { AppError } from '@/lib/errors';
import { AXIAL_MAX_TILT_DEG, isLocalizer } from './check-series-usable';
import { angleFromAxialDeg, sliceNormal } from './slice-geometry';
import type { DicomHeader } from './types';

/**
 * The per-file half of checkSeriesUsable, for ingest to turn a scout or a reformat away as it
 * arrives, before its series is complete. Throws DICOM_LOCALIZER (ImageType) or DICOM_NOT_AXIAL
 * (normal more than AXIAL_MAX_TILT_DEG from z); a slice without orientation passes, as only the
 * series can tell.
 */
export function checkSliceUsable(header: Pick<DicomHeader, 'imageType' | 'imageOrientationPatient'>): void {
  if (isLocalizer(header.imageType)) {
    throw new AppError('DICOM_LOCALIZER', `ImageType ${header.imageType.join('\\')} marks a localizer (scout), not a cross-section`);
  }
  const normal = header.imageOrientationPatient && sliceNormal(header.imageOrientationPatient);
  if (normal === undefined) return;
  const angle = angleFromAxialDeg(normal);
  if (angle > AXIAL_MAX_TILT_DEG) {
    throw new AppError('DICOM_NOT_AXIAL', `slice normal is ${angle.toFixed(1)}° from the head–feet axis; axial allows ${AXIAL_MAX_TILT_DEG}°`, { angleDeg: angle });
  }
}
