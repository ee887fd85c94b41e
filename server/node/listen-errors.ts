import type { Server } from 'node:http';
import { AppError } from '@/lib/errors';

/** Listens on `port`/`host`; rejects with `explainListenError`'s message when the port cannot be bound. */
export function listenHttp(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(explainListenError(err, { what: 'HTTP', variable: 'PORT', port, host }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * A port that cannot be bound, said plainly (which listener, which variable sets it), so the node
 * stops with one clear line and a non-zero exit instead of staying up without listening, where no
 * supervisor would notice. Other errors pass through unchanged.
 */
export function explainListenError(err: unknown, listener: { what: string; variable: string; port: number; host?: string }): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${listener.what} port ${listener.port}${listener.host ? ` on ${listener.host}` : ''} (${listener.variable})`;
  if (code === 'EADDRINUSE') return new AppError('CONFIG_INVALID', `${where} is already in use by another process: stop it, or set ${listener.variable} to a free port`);
  if (code === 'EACCES') return new AppError('CONFIG_INVALID', `${where} needs privileges this process does not have: use a port above 1023, or grant it`);
  if (code === 'EADDRNOTAVAIL') return new AppError('CONFIG_INVALID', `${where}: the address is not on this machine (check HOST)`);
  return err;
}
