/** Why an OIDC callback signed no one in; the callback sends the browser to /login?oidc=<reason>. */
export const OIDC_FAILURES = ['unavailable', 'refused', 'idp_error', 'no_role', 'conflict', 'disabled'] as const;
export type OidcFailure = (typeof OIDC_FAILURES)[number];

/** What the login page says for each failure: fixed text, so nothing from the URL is reflected. */
export const OIDC_FAILURE_MESSAGES: Record<OidcFailure, string> = {
  unavailable: 'Single sign-on is unavailable right now (the identity provider cannot be reached). Sign in with your password, or try again later.',
  refused: 'Single sign-on failed: the answer from the identity provider did not check out, or the attempt took too long. Please try again.',
  idp_error: 'The identity provider did not sign you in.',
  no_role: 'You are signed in at the hospital, but none of your groups gives access to ICH Triage. Ask an administrator to add you to a group mapped to a role.',
  conflict: 'An account with your username already exists here and signs in with a password. Ask an administrator.',
  disabled: 'Your account is disabled. Ask an administrator.',
};

/** The failure named by a query value, or null. */
export function oidcFailure(value: string | string[] | undefined): OidcFailure | null {
  return typeof value === 'string' && (OIDC_FAILURES as readonly string[]).includes(value) ? (value as OidcFailure) : null;
}
