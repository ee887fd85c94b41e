import type { Logger } from '@/server/logging';

/**
 * Ends the process (exit 1) on an error nothing handled: an unhandled rejection or an uncaught
 * exception leaves a node in a state nobody designed, and a node that stays up half-broken is never
 * restarted by its supervisor. One fatal log line says what it was. Next's dev server installs its
 * own handlers that only log; this one runs beside them and decides.
 */
export function installFailFast(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  const die = (kind: 'unhandledRejection' | 'uncaughtException') => (err: unknown) => {
    log.fatal({ err, kind }, `${kind}: the server stops (exit 1) so its supervisor can restart it`);
    exit(1);
  };
  process.on('unhandledRejection', die('unhandledRejection'));
  process.on('uncaughtException', die('uncaughtException'));
}
