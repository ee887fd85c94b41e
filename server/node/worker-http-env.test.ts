import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/server/config';

describe('WORKER_HTTP_PORT', () => {
  it('defaults to 9464; `off` turns the port off; a number sets it', () => {
    expect(loadConfig({}).workerHttpPort).toBe(9464);
    expect(loadConfig({ WORKER_HTTP_PORT: 'off' }).workerHttpPort).toBeUndefined();
    expect(loadConfig({ WORKER_HTTP_PORT: 'OFF' }).workerHttpPort).toBeUndefined();
    expect(loadConfig({ WORKER_HTTP_PORT: '9100' }).workerHttpPort).toBe(9100);
  });

  it.each(['0', '65536', 'abc', '', '9464x', '-1'])('refuses %j with the variable named', (value) => {
    expect(() => loadConfig({ WORKER_HTTP_PORT: value })).toThrow(/WORKER_HTTP_PORT: a port \(1-65535\) or "off"/);
  });
});
