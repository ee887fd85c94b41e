import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Debian's Orthanc binary, when installed (tests skip without it). */
export const ORTHANC_BIN = ['/usr/sbin/Orthanc', 'Orthanc'].find((bin) => spawnSync(bin, ['--version']).status === 0);
/** Debian's DICOMweb plugin for Orthanc (package orthanc-dicomweb), when installed. */
export const ORTHANC_DICOMWEB_PLUGIN = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/plugins/libOrthancDicomWeb.so'].find((p) => existsSync(p));

/** A TCP port free right now (bound and released; good enough for a private test server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface PrivateOrthanc {
  /** REST API base, e.g. http://127.0.0.1:8042. */
  api: string;
  dicomPort: number;
  aeTitle: string;
  /** What Orthanc printed (for failure messages). */
  log: () => string;
  /** SIGTERM, then SIGKILL after 5 s; always by its own PID. */
  stop: () => Promise<void>;
}

/**
 * Starts a private Orthanc on free ports with its storage under `dir` (no authentication, local
 * only), with the DICOMweb plugin when `dicomweb` is set, and waits for its REST API.
 * `httpPort` fixes its REST port (a client configured before it starts); `extra` is merged into its
 * configuration (e.g. DicomModalities).
 */
export async function startOrthanc(options: { dir: string; aeTitle: string; dicomweb?: boolean; httpPort?: number; extra?: Record<string, unknown> }): Promise<PrivateOrthanc> {
  if (!ORTHANC_BIN) throw new Error('Orthanc is not installed');
  if (options.dicomweb && !ORTHANC_DICOMWEB_PLUGIN) throw new Error('the Orthanc DICOMweb plugin is not installed');
  const [httpPort, dicomPort] = [options.httpPort ?? (await freePort()), await freePort()];
  const config = {
    Name: `ich-triage-test-${options.aeTitle.toLowerCase()}`,
    StorageDirectory: join(options.dir, 'orthanc-storage'),
    IndexDirectory: join(options.dir, 'orthanc-index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: options.aeTitle,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: options.dicomweb ? [ORTHANC_DICOMWEB_PLUGIN] : [],
    SaveJobs: false,
    DicomScuTimeout: 20,
    ...(options.dicomweb ? { DicomWeb: { Enable: true, Root: '/dicom-web/' } } : {}),
    ...options.extra,
  };
  mkdirSync(options.dir, { recursive: true });
  const configPath = join(options.dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(ORTHANC_BIN, [configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const kill = () => {
    if (alive()) child.kill('SIGKILL');
  };
  // Never leave an Orthanc behind, even when vitest is interrupted.
  process.once('exit', kill);
  const stop = async () => {
    if (alive()) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', kill);
  };
  const api = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive()) throw new Error(`Orthanc exited at start-up:\n${log.slice(-2000)}`);
    if (await fetch(`${api}/system`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc's REST API did not come up in 30 s:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { api, dicomPort, aeTitle: options.aeTitle, log: () => log, stop };
}
