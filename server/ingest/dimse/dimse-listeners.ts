import { DimseServer, type DimseServerOptions } from './dimse-server';
import type { DimseTlsSettings } from './dimse-env';
import { readDimseTls } from './read-dimse-tls';

export interface DimseListenersOptions extends Omit<DimseServerOptions, 'port' | 'tls'> {
  /** The plain listener's port; undefined: no plain listener (DICOM_PORT=off). */
  port: number | undefined;
  /** The TLS listener; undefined: none. */
  tls: DimseTlsSettings | undefined;
}

/**
 * The DICOM listeners a web node runs: plain DIMSE and/or DIMSE over TLS, the same SCP behind
 * both. DICOM_MAX_ASSOCIATIONS applies to each listener.
 */
export class DimseListeners {
  private readonly plain: DimseServer | undefined;
  private readonly secure: DimseServer | undefined;

  constructor(opts: DimseListenersOptions) {
    const { port, tls, ...common } = opts;
    this.plain = port === undefined ? undefined : new DimseServer({ ...common, port });
    if (tls) {
      const { material, problems } = readDimseTls(tls);
      // Checked at start-up by the config already; a file changed since then must not start a listener half-configured.
      if (!material) throw new Error(`DICOM TLS: ${problems.join('; ')}`);
      this.secure = new DimseServer({ ...common, port: tls.port, tls: material });
    }
  }

  /** Binds every configured listener; resolves with the plain port (0 when the plain listener is off). */
  async start(): Promise<number> {
    const plainPort = this.plain ? await this.plain.start() : 0;
    await this.secure?.start();
    return plainPort;
  }

  /** The TLS listener's bound port, undefined without one. */
  get tlsPort(): number | undefined {
    return this.secure?.port;
  }

  /** Every configured listener is bound (readiness). */
  get listening(): boolean {
    return (this.plain?.listening ?? true) && (this.secure?.listening ?? true);
  }

  stop(): void {
    this.plain?.stop();
    this.secure?.stop();
  }

  /** Graceful stop of every listener (DimseServer.drain); resolves with the associations cut. */
  async drain(graceMs: number): Promise<number> {
    const cut = await Promise.all([this.plain?.drain(graceMs), this.secure?.drain(graceMs)]);
    return cut.reduce<number>((n, c) => n + (c ?? 0), 0);
  }
}
