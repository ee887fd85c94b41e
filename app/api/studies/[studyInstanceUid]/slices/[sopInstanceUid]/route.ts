import { SLICE_HEADERS } from '@/lib/study-detail';
import { sliceRoute } from './slice-request';

export const dynamic = 'force-dynamic';

/**
 * One slice's Hounsfield units: raw little-endian Int16, row-major (lib/study-detail.ts
 * SLICE_HEADERS gives rows, columns, pixel spacing and position). Patient data: no-store (route()),
 * so the viewer keeps its own bounded cache; the ETag still lets a client skip an unchanged slice.
 */
export const GET = sliceRoute(async (viewer, study, sop, request) => {
  const slice = await viewer.slice(study, sop);
  const etag = `"${slice.etag}"`;
  const headers = new Headers({ etag });
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  headers.set('content-type', 'application/octet-stream');
  headers.set(SLICE_HEADERS.rows, String(slice.rows));
  headers.set(SLICE_HEADERS.columns, String(slice.columns));
  if (slice.pixelSpacing) headers.set(SLICE_HEADERS.pixelSpacing, slice.pixelSpacing.join('\\'));
  if (slice.position !== null) headers.set(SLICE_HEADERS.position, String(slice.position));
  return new Response(slice.body, { status: 200, headers });
});
