import { spawn, type ChildProcess } from 'node:child_process';
import { E2E_INITIAL_PASSWORD, E2E_USER } from './sign-in';

/**
 * A second ICH Triage server a spec starts and stops itself (Playwright's webServer cannot be
 * restarted from a test): the same production build and settings as playwright.config.ts, its own
 * ports and data folder, so stopping it touches nothing the other specs use.
 */
export class OwnServer {
  private child: ChildProcess | null = null;
  private stderr = '';
  readonly baseURL: string;
  readonly dicomPort: number;

  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.baseURL = `http://127.0.0.1:${port}`;
    this.dicomPort = port + 8000;
  }

  /** Starts `tsx server/main.ts` and resolves once /api/health answers 200. */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.child) throw new Error('already running');
    this.stderr = '';
    const child = spawn('node_modules/.bin/tsx', ['server/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        DEMO_SCANNER: 'off',
        DICOM_PORT: String(this.dicomPort),
        INFERENCE_PROVIDERS: 'cpu',
        HEARTBEAT_INTERVAL_S: '0.5',
        LOG_LEVEL: 'warn',
        STUDY_QUIET_PERIOD_S: '2',
        ADMIN_USERNAME: E2E_USER,
        ADMIN_PASSWORD: E2E_INITIAL_PASSWORD,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${this.stderr}`);
      const ok = await fetch(`${this.baseURL}/api/health`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    await this.stop();
    throw new Error(`server did not answer /api/health within ${timeoutMs} ms:\n${this.stderr}`);
  }

  /** SIGTERM (a graceful stop, as systemd or Kubernetes would send) and waits for the exit. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}
