import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { Readable } from 'node:stream';
import { storeInstances } from '@/server/ingest/stow/store-instances';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DicomFileStore } from '@/server/files';
import { DimseServer } from '@/server/ingest/dimse/dimse-server';
import { IngestService, type ReceivedInstance } from '@/server/ingest/ingest-service';
import { QuarantineStore } from '@/server/ingest/quarantine-store';

export interface TestListener {
  server: DimseServer;
  port: number;
  /** A STOW-RS endpoint base (`…/dicomweb`) on the same ingest path, served by node:http. */
  stowBase: string;
  root: string;
  recorded: ReceivedInstance[];
  quarantined: { code: string; message: string }[];
  /** TCP connections accepted so far: one per association. */
  connections(): number;
  /** Absolute path of a recorded instance's stored file. */
  pathOf(instance: ReceivedInstance): string;
  stop(): void;
}

/** The product's real DICOM listener and ingest path, storing into a fresh temp dir (AE ICHTRIAGE). */
export async function startTestListener(port = 0): Promise<TestListener> {
  const root = mkdtempSync(join(tmpdir(), 'demo-listener-'));
  const log = pino({ level: 'silent' });
  const recorded: ReceivedInstance[] = [];
  const quarantined: { code: string; message: string }[] = [];
  const ingest = new IngestService({
    files: new DicomFileStore(join(root, 'dicom')),
    quarantine: new QuarantineStore(join(root, 'quarantine')),
    record: async (i) => {
      recorded.push(i);
    },
    recordQuarantine: async (q) => {
      quarantined.push(q);
    },
    log,
  });
  const server = new DimseServer({ port, aeTitle: 'ICHTRIAGE', allowedCallingAeTitles: [], ingest, log });
  const bound = await server.start();
  // The same handler the Next route runs, without Next: body stream in, PS3.18 JSON out.
  const http = createServer((req, res) => {
    const body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    storeInstances(body, req.headers['content-type'] ?? null, { channel: 'stow', sender: 'test' }, (b, s) => ingest.ingest(b, s), 'http://test/dicomweb').then(
      (r) => res.writeHead(r.status, { 'content-type': 'application/dicom+json' }).end(JSON.stringify(r.body)),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const stowBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}/dicomweb`;
  // dcmjs-dimse keeps its net.Server private; counting its connections counts associations.
  let connections = 0;
  (server as unknown as { server: { server: NetServer } }).server.server.on('connection', () => connections++);
  return {
    server,
    port: bound,
    stowBase,
    root,
    recorded,
    quarantined,
    connections: () => connections,
    pathOf: (i) => join(root, 'dicom', i.stored.relativePath),
    stop: () => {
      server.stop();
      http.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A TCP port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
