import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Liveness and what is running: version, start time, active model and execution provider (503 while starting). */
export const GET = route({ permission: 'public' }, ({ services }) => ({ status: 'ok', ...services.status() }));
