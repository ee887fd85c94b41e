/** What the person starting the server needs to know once it listens. */
export interface ReadyFacts {
  role: 'all' | 'web' | 'worker';
  /** HOST as configured; 0.0.0.0 / :: mean every interface, reached locally as localhost. */
  host: string;
  port: number;
  dicomPort: number | undefined;
  aeTitle: string;
  /** The first admin was created at this start with a generated one-time password (printed above). */
  generatedAdmin: string | undefined;
  /** A worker node's health and metrics port (WORKER_HTTP_PORT); undefined: none. */
  workerHttpPort?: number | undefined;
}

/**
 * The human lines printed after "server listening" (stdout, outside the JSON logs): where to open
 * the dashboard, where modalities send, and on a first start where the one-time password is. The
 * password itself is never repeated: it was printed once, above.
 */
export function readyBanner(f: ReadyFacts): string {
  const anyInterface = f.host === '0.0.0.0' || f.host === '::' || f.host === '';
  const host = anyInterface ? 'localhost' : f.host.includes(':') ? `[${f.host}]` : f.host;
  if (f.role === 'worker') {
    const probes = f.workerHttpPort ? `\n  Health and metrics: http://${host}:${f.workerHttpPort}/api/health/ready and /metrics (admin token).` : '';
    return `\n  ICH triage worker is running: it analyses what the web nodes receive (no dashboard on this node).${probes}\n`;
  }
  const lines = [`  ICH triage is ready: open http://${host}:${f.port} in a browser.`];
  if (f.dicomPort) lines.push(`  Modalities send DICOM (C-STORE) to AE title ${f.aeTitle}, port ${f.dicomPort}.`);
  if (f.generatedAdmin) {
    lines.push(`  First start: sign in as "${f.generatedAdmin}" with the one-time password printed above ("First start: created admin account").`);
  }
  return `\n${lines.join('\n')}\n`;
}
