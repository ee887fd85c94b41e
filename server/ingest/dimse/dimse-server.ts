import type { AddressInfo, Server as NetServer } from 'node:net';
import dimse from 'dcmjs-dimse';
import { createStoreScpClass, type StoreScpOptions } from './store-scp';

export interface DimseServerOptions extends StoreScpOptions {
  port: number;
  /** Most simultaneous associations (TCP connections, default 32); more are refused at connect. */
  maxAssociations?: number;
  /** DICOM over TLS (PS3.15 B.1): this listener speaks only TLS; with `ca`, a client must present a certificate it signed. */
  tls?: DimseTlsMaterial | undefined;
}

/** PEM contents (not paths) of our key and certificate, and optionally the CA that client certificates must chain to. */
export interface DimseTlsMaterial {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer | undefined;
}

/**
 * The DICOM listener (C-ECHO, C-STORE) on its own TCP port. dcmjs-dimse's own logging is routed
 * down to errors only: by default it prints every PDU, which would bury our JSON logs.
 */
export class DimseServer {
  private readonly server: InstanceType<typeof dimse.Server>;
  private boundPort = 0;
  private up = false;

  constructor(private readonly opts: DimseServerOptions) {
    dimse.log.setLevel('error');
    this.server = new dimse.Server(createStoreScpClass(opts) as unknown as typeof dimse.Scp);
    this.server.on('networkError', (err: Error) => opts.log.warn({ err: { message: err.message } }, 'DICOM network error'));
  }

  /** Resolves once the port is bound; rejects if it cannot be (e.g. already in use). */
  start(): Promise<number> {
    const tls = this.opts.tls;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('networkError', onError);
      this.server.once('listening', () => {
        this.server.off('networkError', onError);
        const net = (this.server as unknown as { server: NetServer }).server;
        net.maxConnections = this.opts.maxAssociations ?? 32;
        this.boundPort = (net.address() as AddressInfo).port;
        // A refused handshake (plain DICOM on the TLS port, no or an untrusted client certificate)
        // never reaches dcmjs-dimse; say so, or a misconfigured modality fails silently.
        net.on('tlsClientError', (err: Error) => this.opts.log.warn({ err: { message: err.message } }, 'DICOM TLS handshake refused'));
        this.opts.log.info({ port: this.boundPort, aeTitle: this.opts.aeTitle, tls: Boolean(tls), clientCertificates: Boolean(tls?.ca) }, tls ? 'DICOM TLS listener ready' : 'DICOM listener ready');
        this.up = true;
        resolve(this.boundPort);
      });
      this.server.listen(this.opts.port, tls ? { securityOptions: securityOptionsOf(tls) } : undefined);
    });
  }

  /** True between a successful start and stop (readiness). */
  get listening(): boolean {
    return this.up;
  }

  get port(): number {
    return this.boundPort;
  }

  stop(): void {
    this.up = false;
    this.server.close();
  }

  /**
   * A graceful stop: accepts no new association, lets the open ones run to their end (every slice
   * they send is stored and acknowledged, store-then-ack) for up to `graceMs`, then cuts what is
   * left (its unacknowledged slices are re-sent by the modality). Resolves with how many were cut.
   * dcmjs-dimse's own close() cuts every association at once, mid-C-STORE.
   */
  async drain(graceMs: number): Promise<number> {
    this.up = false;
    const inner = this.server as unknown as { server?: NetServer; clients: { connected?: boolean }[] };
    if (inner.server?.listening) inner.server.close();
    const open = () => inner.clients.filter((c) => c.connected !== false).length;
    const end = Date.now() + graceMs;
    while (open() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const cut = open();
    this.server.close();
    return cut;
  }
}

function securityOptionsOf(tls: DimseTlsMaterial) {
  // With a CA the client must present a certificate it signed (mutual TLS); without, any TLS
  // client is served (the channel is encrypted, the sender still checked by AE title).
  return { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.ca !== undefined, rejectUnauthorized: tls.ca !== undefined, minVersion: 'TLSv1.2' };
}

