import { requirePageUser } from '@/server/http/page-auth';
import { PasswordForm } from './password-form';

export const dynamic = 'force-dynamic';

/** Choose a new password; required after a one-time or initial password. */
export default async function PasswordPage() {
  const user = await requirePageUser({ allowPasswordChange: true });
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Choose a new password</h1>
        <p className="text-sm text-muted">
          {user.mustChangePassword ? `Signed in as ${user.username} with a one-time password: choose your own to continue.` : `Signed in as ${user.username}.`}
        </p>
      </div>
      <PasswordForm username={user.username} />
    </main>
  );
}
