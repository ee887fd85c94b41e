import { readinessAnswer } from '@/server/metrics/readiness-answer';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Readiness (server/metrics/readiness.ts): 200 when every check passes, else 503 naming the failing ones. */
export const GET = route({ permission: 'public' }, ({ services, log }) => readinessAnswer(services.readiness, log));
