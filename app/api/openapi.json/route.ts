import { buildOpenApiDocument } from '@/server/http/openapi-document';
import { route } from '@/server/http/route';
import { API_ROUTES } from './api-routes';

export const dynamic = 'force-dynamic';

/**
 * The OpenAPI 3.1 document of this HTTP API, generated from the handlers' own permissions and zod
 * schemas (server/http/openapi-document.ts). For any signed-in user or token: it holds no patient
 * data, but it maps every administrative endpoint, and the rule here is that only /api/health*
 * and the sign-in routes answer strangers.
 */
export const GET = route({ permission: 'signed-in' }, ({ services }) => buildOpenApiDocument(API_ROUTES, { version: services.status().version }));
