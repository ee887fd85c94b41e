// Moved to server/http/page-auth.ts; this re-export goes once every page imports it from there.
export * from '@/server/http/page-auth';
