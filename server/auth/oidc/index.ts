// Optional OpenID Connect single sign-on: the custom server (main.ts) creates an OidcSignIn when
// OIDC_ISSUER is set; route handlers reach it through the services registry.
export { OidcSignIn, CALLBACK_PATH, type OidcSignInOptions, type OidcBegin, type OidcFinish } from './oidc-sign-in';
export { OIDC_FAILURES, OIDC_FAILURE_MESSAGES, oidcFailure, type OidcFailure } from './oidc-failures';
export { parseRoleMap, roleFromClaim, type RoleMap } from './role-map';
export { provisionExternalUser, isExternalAccount, type ExternalIdentity, type ProvisionResult } from './external-user';
export { TransactionCookie, TRANSACTION_COOKIE, type OidcTransaction } from './transaction-cookie';
export { OIDC_ENV, readOidcSettings, type OidcSettings } from './oidc-env';
