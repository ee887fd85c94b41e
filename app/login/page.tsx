import { redirect } from 'next/navigation';
import { currentUser } from '@/server/http/page-auth';
import { OIDC_FAILURE_MESSAGES, oidcFailure } from '@/server/auth/oidc/oidc-failures';
import { getServices } from '@/server/http/service-registry';
import { safeNextPath } from '@/lib/safe-next-path';
import { LoginForm } from './login-form';
import { SsoButton } from './sso-button';

export const dynamic = 'force-dynamic';

/** Sign-in page; a signed-in user goes straight on. Offers single sign-on when OIDC is configured. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await currentUser();
  const params = await searchParams;
  // A page refused this role (requirePageUser sends it here): say so rather than silently bouncing to the worklist.
  if (user && !user.mustChangePassword && params.error === 'forbidden') return <NotForThisRole username={user.username} role={user.role} />;
  // Where to go once signed in: the page the visitor was sent here from, if it is one of ours.
  const next = safeNextPath(typeof params.next === 'string' ? params.next : null) ?? '/';
  if (user) redirect(user.mustChangePassword ? '/account/password' : next);
  const ssoLabel = getServices()?.oidc?.label;
  const failure = oidcFailure(params.oidc);
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">ICH Triage</h1>
        <p className="text-sm text-muted">Sign in to see the worklist</p>
      </div>
      {failure && (
        <p role="alert" data-testid="sso-error" className="rounded border border-alert/40 bg-panel p-3 text-sm text-alert">
          {OIDC_FAILURE_MESSAGES[failure]}
        </p>
      )}
      {ssoLabel && <SsoButton label={ssoLabel} next={next} />}
      <LoginForm next={next} />
    </main>
  );
}

function NotForThisRole({ username, role }: { username: string; role: string }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-4 p-6" data-testid="forbidden">
      <h1 className="text-2xl font-semibold tracking-tight">Not available to your role</h1>
      <p className="text-sm text-muted">
        You are signed in as {username} ({role}). The page you opened is for other roles; ask an administrator if you need it.
      </p>
      <a href="/" className="self-start rounded border border-edge px-3 py-2 text-sm hover:bg-panel focus-visible:outline-2 focus-visible:outline-sky-400">
        Back to the worklist
      </a>
    </main>
  );
}
