import type { z } from 'zod';
import type { AuditAction } from '@/lib/audit';
import { AppError } from '@/lib/errors';
import { auditActor } from '@/server/audit/audit-service';
import type { Principal } from '@/server/auth/principal';
import { requestOrigin } from '@/server/http/request-origin';
import { route, type RouteHandler } from '@/server/http/route';
import { routeSpecOf, withRouteSpec } from '@/server/http/route-spec';
import { getServices } from '@/server/http/service-registry';
import { corsHeaders, preflight } from './dicomweb-cors';
import type { DicomwebReader } from './dicomweb-reader';
import type { ReadWindow } from './read-window';

/** What the running server gives DICOMweb routes (ServerServices.dicomweb). */
export interface DicomwebServices {
  reader: DicomwebReader;
  corsOrigins: readonly string[];
  viewerUrlTemplate?: string | undefined;
  /** Frame reads journaled once per person and study per window. */
  frameReads: ReadWindow;
}

export interface DicomwebContext<P> {
  request: Request;
  principal: Principal;
  params: P;
  reader: DicomwebReader;
  frameReads: ReadWindow;
  /** `<origin>/dicomweb`, for RetrieveURLs and BulkDataURIs. */
  base: string;
  /** Journals this read (who, from where, which study, what) before the data leaves. */
  journal: (action: Extract<AuditAction, 'dicomweb.searched' | 'dicomweb.retrieved'>, studyInstanceUid: string | null, details: Record<string, string | number>) => Promise<void>;
}

/**
 * A DICOMweb read route: route() (authenticated by session or bearer token, no-store, params
 * checked, AppErrors as JSON) with the permission to see patient identifiers, since DICOM files
 * and their metadata carry them (clinicians and radiologists, and their tokens); CORS headers for
 * the origins in DICOMWEB_CORS_ORIGINS on every answer, errors included, so a viewer can read a 401.
 */
export function dicomwebRoute<P extends z.ZodType>(params: P, handler: (ctx: DicomwebContext<z.output<P>>) => Promise<Response>): RouteHandler {
  const inner = route({ permission: 'viewPatientIdentity', params }, async ({ request, principal, params: parsed, services, ip }) => {
    const dicomweb = services.dicomweb;
    if (!dicomweb) throw new AppError('NOT_FOUND', 'DICOMweb is not served by this node');
    return handler({
      request,
      principal,
      params: parsed as z.output<P>,
      reader: dicomweb.reader,
      frameReads: dicomweb.frameReads,
      base: `${requestOrigin(request)}/dicomweb`,
      journal: async (action, studyInstanceUid, details) => {
        await services.audit.record({ actor: auditActor(principal), ip, action, target: studyInstanceUid ? { type: 'study', id: studyInstanceUid } : null, details });
      },
    });
  });
  const withCors: RouteHandler = async (request, ctx) => {
    const response = await inner(request, ctx);
    const origins = getServices()?.dicomweb?.corsOrigins ?? [];
    for (const [k, v] of Object.entries(corsHeaders(origins, request.headers.get('origin')))) response.headers.set(k, v);
    return response;
  };
  // The OpenAPI document reads who may call it from the handler (server/http/route-spec.ts).
  return withRouteSpec(withCors, routeSpecOf(inner)!);
}

/** OPTIONS for every DICOMweb read route (CORS preflight; needs no credentials, as browsers send none). */
export function dicomwebPreflight(request: Request): Response {
  return preflight(getServices()?.dicomweb?.corsOrigins ?? [], request);
}
