// Moved to server/http/require-auth.ts; this re-export goes once every importer has moved.
export * from '@/server/http/require-auth';
