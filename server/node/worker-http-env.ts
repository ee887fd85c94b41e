import { z } from 'zod';

/** Where a worker node answers health checks and metric scrapes when WORKER_HTTP_PORT is unset. */
export const DEFAULT_WORKER_HTTP_PORT = 9464;

/** WORKER_HTTP_PORT, merged into the server's environment schema (server/config). */
export const WORKER_HTTP_ENV = {
  /**
   * A worker node's small HTTP port (health and metrics only; server/node/worker-http.ts): a port
   * number, or `off` for none. Only a `SERVER_ROLE=worker` node opens it; the others serve the same
   * paths on PORT.
   */
  WORKER_HTTP_PORT: z
    .string()
    .trim()
    .default(String(DEFAULT_WORKER_HTTP_PORT))
    .transform((v, ctx) => {
      if (v.toLowerCase() === 'off') return undefined;
      const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'a port (1-65535) or "off"' });
        return z.NEVER;
      }
      return n;
    }),
};
