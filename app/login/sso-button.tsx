import { ssoStartHref } from './sso-start-href';

/**
 * "Sign in with <label>": a plain link (a full navigation, no script) to the OIDC start route, which
 * sends the browser on to the hospital's identity provider; `next` (the page asked for) comes back
 * with the person after the round trip.
 */
export function SsoButton({ label, next }: { label: string; next: string }) {
  return (
    <div className="flex flex-col gap-3">
      <a href={ssoStartHref(next)} data-testid="sso-button" className="rounded bg-ink px-3 py-2 text-center font-medium text-surface hover:opacity-90">
        Sign in with {label}
      </a>
      <p className="text-center text-xs text-muted">or with a local account</p>
    </div>
  );
}
