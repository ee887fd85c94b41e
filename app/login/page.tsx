import { redirect } from 'next/navigation';
import { currentUser } from '@/server/auth/page-auth';
import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';

/** Sign-in page; a signed-in user goes straight on. */
export default async function LoginPage() {
  const user = await currentUser();
  if (user) redirect(user.mustChangePassword ? '/account/password' : '/');
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">ICH Triage</h1>
        <p className="text-sm text-muted">Sign in to see the worklist</p>
      </div>
      <LoginForm />
    </main>
  );
}
