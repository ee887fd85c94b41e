// The auth stage's public surface for the custom server (main.ts) and tests. Route handlers import
// server/http/route.ts and pages server/http/page-auth.ts: those stay free of argon2 and the database.
export { AuthService, LOGIN_FAILED, normaliseUsername } from './auth-service';
export type { AuthServiceOptions, HeaderReader, LoginInput, LoginResult, PasswordChangeResult } from './auth-service';
export { bootstrapAuth, ENV_TOKEN_PREFIX, type BootstrapOptions, type BootstrapReport } from './bootstrap-auth';
export { LoginThrottle } from './login-throttle';
export { isSameOrigin, isStateChanging } from './origin-check';
export { parseApiTokens, type BootstrapToken } from './parse-api-tokens';
export { hashPassword, verifyPassword, passwordProblem, needsRehash, MIN_PASSWORD_LENGTH } from './password-hasher';
export { viewPrincipal, type Principal, type PrincipalView } from './principal';
export { can, isRole, PERMISSIONS, ROLES, USER_ROLES, type Permission, type Role, type UserRole } from '@/lib/roles';
export { newSecret, safeEqual, sha256Hex } from './secrets';
export * from './session-cookie';
export { headersFromNode } from './node-headers';
export { SessionEndings, type EndedSessions } from './session-endings';
