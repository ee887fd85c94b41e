import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded-mode defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', env: 'development', demoScanner: true });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.heartbeatIntervalMs).toBe(5000);
  });

  it('reads and coerces the variables it knows', () => {
    const config = loadConfig({ PORT: '4100', DEMO_SCANNER: 'off', HEARTBEAT_INTERVAL_S: '0.5', DATA_DIR: '/tmp/x' });
    expect(config).toMatchObject({ port: 4100, demoScanner: false, heartbeatIntervalMs: 500, dataDir: '/tmp/x' });
  });

  it('refuses bad values with one error naming every bad variable', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', DEMO_SCANNER: 'yes' });
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'CONFIG_INVALID')).toBe(true);
    expect(String((caught as Error).message)).toMatch(/PORT/);
    expect(String((caught as Error).message)).toMatch(/DEMO_SCANNER/);
  });
});
