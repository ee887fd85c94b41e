import type { AddressInfo, Server as NetServer } from 'node:net';
import dimse from 'dcmjs-dimse';
import { createStoreScpClass, type StoreScpOptions } from './store-scp';

export interface DimseServerOptions extends StoreScpOptions {
  port: number;
  /** Most simultaneous associations (TCP connections, default 32); more are refused at connect. */
  maxAssociations?: number;
}

/**
 * The DICOM listener (C-ECHO, C-STORE) on its own TCP port. dcmjs-dimse's own logging is routed
 * down to errors only: by default it prints every PDU, which would bury our JSON logs.
 */
export class DimseServer {
  private readonly server: InstanceType<typeof dimse.Server>;
  private boundPort = 0;

  constructor(private readonly opts: DimseServerOptions) {
    dimse.log.setLevel('error');
    this.server = new dimse.Server(createStoreScpClass(opts) as unknown as typeof dimse.Scp);
    this.server.on('networkError', (err: Error) => opts.log.warn({ err: { message: err.message } }, 'DICOM network error'));
  }

  /** Resolves once the port is bound; rejects if it cannot be (e.g. already in use). */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('networkError', onError);
      this.server.once('listening', () => {
        this.server.off('networkError', onError);
        const net = (this.server as unknown as { server: NetServer }).server;
        net.maxConnections = this.opts.maxAssociations ?? 32;
        this.boundPort = (net.address() as AddressInfo).port;
        this.opts.log.info({ port: this.boundPort, aeTitle: this.opts.aeTitle }, 'DICOM listener ready');
        resolve(this.boundPort);
      });
      this.server.listen(this.opts.port);
    });
  }

  get port(): number {
    return this.boundPort;
  }

  stop(): void {
    this.server.close();
  }
}

