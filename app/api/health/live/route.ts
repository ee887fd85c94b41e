import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Liveness: the process answers (no database, no model: a slow database must not get it restarted). 503 while starting. */
export const GET = route({ permission: 'public' }, () => ({ status: 'ok' }));
