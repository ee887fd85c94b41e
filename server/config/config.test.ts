import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded-mode defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', env: 'development', demoScanner: { enabled: true } });
    expect(config.dicom).toEqual({ port: 11112, aeTitle: 'ICHTRIAGE', allowedCallingAeTitles: [] });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.heartbeatIntervalMs).toBe(5000);
  });

  it('reads and coerces the variables it knows', () => {
    const config = loadConfig({ PORT: '4100', DEMO_SCANNER: 'off', HEARTBEAT_INTERVAL_S: '0.5', DATA_DIR: '/tmp/x' });
    expect(config).toMatchObject({ port: 4100, demoScanner: { enabled: false }, heartbeatIntervalMs: 500, dataDir: '/tmp/x' });
  });

  it('reads the inference settings, providers in the order given', () => {
    const config = loadConfig({ INFERENCE_PROVIDERS: 'webgpu, cpu', INFERENCE_MAX_BATCH: '8', INFERENCE_THREADS: '2', MODEL_MANIFEST: 'm/x.json' });
    expect(config.inference).toMatchObject({ providers: ['webgpu', 'cpu'], maxBatch: 8, maxWaitMs: 5, intraOpThreads: 2 });
    expect(config.inference.manifestPath).toBe(path.resolve('m/x.json'));
    expect(loadConfig({}).inference.providers).toEqual(['cuda', 'webgpu', 'cpu']);
  });

  it('refuses an unknown execution provider', () => {
    expect(() => loadConfig({ INFERENCE_PROVIDERS: 'cuda,tpu' })).toThrow(/INFERENCE_PROVIDERS/);
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
