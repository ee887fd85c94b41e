import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { StowClient } from './stow-client';

/** A one-shot HTTP server that records the request headers and answers an empty STOW-RS success. */
async function recordHeaders(run: (base: string) => Promise<unknown>): Promise<IncomingHttpHeaders> {
  let seen: IncomingHttpHeaders = {};
  const server = createServer((req, res) => {
    seen = req.headers;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/dicom+json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/dicomweb`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return seen;
}

describe('StowClient', () => {
  it('sends the service-account token as a bearer header when given one, and none otherwise', async () => {
    const withToken = await recordHeaders((base) => new StowClient(base, { token: 'tok-123' }).send([]));
    expect(withToken.authorization).toBe('Bearer tok-123');
    const without = await recordHeaders((base) => new StowClient(base).send([]));
    expect(without.authorization).toBeUndefined();
  });
});
