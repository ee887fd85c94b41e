import { viewPrincipal } from '@/server/auth/principal';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Who is signed in: `{"user":{kind,name,role,mustChangePassword}}`, or 401. */
export const GET = route({ permission: 'signed-in', allowPasswordChange: true }, ({ principal }) => ({ user: viewPrincipal(principal) }));
