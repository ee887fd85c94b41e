import { viewPrincipal } from '@/server/auth/principal';
import { requireAuth } from '@/server/auth/require-auth';

export const dynamic = 'force-dynamic';

/** Who is signed in: `{"user":{kind,name,role,mustChangePassword}}`, or 401. */
export async function GET(request: Request) {
  const auth = await requireAuth(request, { allowPasswordChange: true });
  if (auth instanceof Response) return auth;
  return Response.json({ user: viewPrincipal(auth) }, { headers: { 'cache-control': 'no-store' } });
}
