import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { defaultDecodeWorkers, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded-mode defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', env: 'development', demoScanner: { enabled: true } });
    expect(config.dicom).toEqual({ port: 11112, aeTitle: 'ICHTRIAGE', allowedCallingAeTitles: [], maxAssociations: 32, maxInstanceBytes: 1024 * 1024 * 1024 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.heartbeatIntervalMs).toBe(5000);
  });

  it('reads and coerces the variables it knows', () => {
    const config = loadConfig({ PORT: '4100', DEMO_SCANNER: 'off', HEARTBEAT_INTERVAL_S: '0.5', DATA_DIR: '/tmp/x' });
    expect(config).toMatchObject({ port: 4100, demoScanner: { enabled: false }, heartbeatIntervalMs: 500, dataDir: '/tmp/x' });
  });

  it('reads the periodic tasks\' intervals (short in process tests), with hourly pruning and 15 s leases by default', () => {
    expect(loadConfig({})).toMatchObject({ journalPruneIntervalMs: 3_600_000, triage: { jobLeaseMs: 15_000, undoWindowMs: 120_000 } });
    expect(loadConfig({ STUDY_UNDO_WINDOW_S: '30' })).toMatchObject({ triage: { undoWindowMs: 30_000 } });
    expect(() => loadConfig({ STUDY_UNDO_WINDOW_S: '-1' })).toThrow(/STUDY_UNDO_WINDOW_S/);
    expect(loadConfig({ JOURNAL_PRUNE_INTERVAL_S: '0.2', JOB_LEASE_S: '1.5' })).toMatchObject({ journalPruneIntervalMs: 200, triage: { jobLeaseMs: 1500 } });
    expect(() => loadConfig({ JOB_LEASE_S: '0.1' })).toThrow(/JOB_LEASE_S/);
    expect(() => loadConfig({ RETENTION_SWEEP_INTERVAL_S: '0' })).toThrow(/RETENTION_SWEEP_INTERVAL_S/);
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

  it('has safe upload limits and no watched folder by default, and reads both', () => {
    const defaults = loadConfig({});
    expect(defaults.upload).toEqual({ maxRequestBytes: 512 * 1024 * 1024, maxFiles: 5000, maxUncompressedBytes: 2048 * 1024 * 1024, maxCompressionRatio: 200 });
    expect(defaults.watchFolder).toBeUndefined();
    const config = loadConfig({ UPLOAD_MAX_MB: '1.5', UPLOAD_MAX_FILES: '10', UPLOAD_MAX_UNCOMPRESSED_MB: '4', UPLOAD_MAX_COMPRESSION_RATIO: '50', WATCH_DIR: 'in', WATCH_POLL_S: '0.5' });
    expect(config.upload).toEqual({ maxRequestBytes: 1572864, maxFiles: 10, maxUncompressedBytes: 4 * 1024 * 1024, maxCompressionRatio: 50 });
    expect(config.watchFolder).toEqual({ dir: path.resolve('in'), pollIntervalMs: 500 });
    expect(() => loadConfig({ UPLOAD_MAX_FILES: '0', UPLOAD_MAX_COMPRESSION_RATIO: '1' })).toThrow(/UPLOAD_MAX_FILES.*UPLOAD_MAX_COMPRESSION_RATIO/);
  });

  it('keeps stored DICOM 7 days, 2 hours under the demo scanner, forever with 0, as configured otherwise', () => {
    expect(loadConfig({ DEMO_SCANNER: 'off' }).retention).toEqual({ retentionMs: 7 * 86_400_000, sweepIntervalMs: 3_600_000 });
    expect(loadConfig({}).retention).toEqual({ retentionMs: 2 * 3_600_000, sweepIntervalMs: 720_000 });
    expect(loadConfig({ DICOM_RETENTION_DAYS: '0' }).retention).toBeUndefined();
    expect(loadConfig({ DEMO_SCANNER: 'off', RETENTION_SWEEP_INTERVAL_S: '0.5' }).retention?.sweepIntervalMs).toBe(500);
    expect(loadConfig({ DICOM_RETENTION_DAYS: '30', DEMO_SCANNER: 'on' }).retention?.retentionMs).toBe(30 * 86_400_000);
    expect(() => loadConfig({ DICOM_RETENTION_DAYS: '-1' })).toThrow(/DICOM_RETENTION_DAYS/);
  });

  it('runs every stage by default, and reads a web or worker role', () => {
    expect(loadConfig({}).serverRole).toBe('all');
    expect(loadConfig({ SERVER_ROLE: 'worker' }).serverRole).toBe('worker');
    expect(() => loadConfig({ SERVER_ROLE: 'both' })).toThrow(/SERVER_ROLE/);
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

  it('leaves OIDC off by default and reads a complete OIDC configuration', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    const oidc = loadConfig({
      OIDC_ISSUER: 'https://idp.hospital.example/realms/main',
      OIDC_CLIENT_ID: 'ich-triage',
      OIDC_CLIENT_SECRET: 'a-long-client-secret-value',
      OIDC_ROLE_MAP: 'ich-radiologists:radiologist, ich-ed:clinician,urn:grp:ich-admins:admin',
    }).oidc;
    expect(oidc).toMatchObject({ clientId: 'ich-triage', redirectUri: undefined, roleClaims: ['groups', 'roles'], label: 'Hospital sign-in' });
    expect(oidc?.issuer.href).toBe('https://idp.hospital.example/realms/main');
    expect([...(oidc?.roleMap ?? [])]).toEqual([['ich-radiologists', 'radiologist'], ['ich-ed', 'clinician'], ['urn:grp:ich-admins', 'admin']]);
    const custom = loadConfig({
      OIDC_ISSUER: 'http://localhost:8080',
      OIDC_CLIENT_ID: 'c',
      OIDC_CLIENT_SECRET: 'a-long-client-secret-value',
      OIDC_ROLE_MAP: 'admins:admin',
      OIDC_ROLE_CLAIM: 'realm_access.roles',
      OIDC_LABEL: 'St Elsewhere SSO',
      OIDC_REDIRECT_URI: 'https://triage.example/api/auth/oidc/callback',
    }).oidc;
    expect(custom).toMatchObject({ roleClaims: ['realm_access.roles'], label: 'St Elsewhere SSO', redirectUri: 'https://triage.example/api/auth/oidc/callback' });
  });

  it('refuses an incomplete or unsafe OIDC configuration, naming what is wrong', () => {
    const base = { OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 'a-long-client-secret-value', OIDC_ROLE_MAP: 'g:admin' };
    expect(() => loadConfig({ ...base, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined })).toThrow(/OIDC_CLIENT_ID: required.*OIDC_CLIENT_SECRET: required/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: '' })).toThrow(/OIDC_ROLE_MAP: maps no group/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: 'g:superuser' })).toThrow(/OIDC_ROLE_MAP: "g:superuser": role must be one of/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: 'nocolon' })).toThrow(/OIDC_ROLE_MAP: "nocolon" is not group:role/);
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'http://idp.example' })).toThrow(/OIDC_ISSUER: must be https/);
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'not a url' })).toThrow(/OIDC_ISSUER/);
    expect(() => loadConfig({ ...base, OIDC_CLIENT_SECRET: 'short' })).toThrow(/OIDC_CLIENT_SECRET: at least 16/);
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'c', OIDC_ROLE_MAP: 'g:admin' })).toThrow(/OIDC_ISSUER: required when OIDC_CLIENT_ID, OIDC_ROLE_MAP is set/);
  });

  it('keeps the audit signing key and its checkpoints outside the database, in DATA_DIR unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/srv/ich' }).audit).toEqual({
      signingKeyPath: '/srv/ich/audit-signing-key.pem',
      checkpointFile: '/srv/ich/audit-checkpoints.jsonl',
      checkpointIntervalMs: 60_000,
    });
    expect(loadConfig({ DATA_DIR: '/srv/ich', AUDIT_SIGNING_KEY: '/etc/ich/audit.pem', AUDIT_CHECKPOINT_INTERVAL_S: '5' }).audit).toMatchObject({ signingKeyPath: '/etc/ich/audit.pem', checkpointIntervalMs: 5000 });
    expect(() => loadConfig({ AUDIT_CHECKPOINT_INTERVAL_S: '0' })).toThrow(/AUDIT_CHECKPOINT_INTERVAL_S/);
  });

  it('decodes inline below 4 cores and on min(4, cores - 2) workers from 4 by default; DECODE_WORKERS sets it', () => {
    const cores = os.availableParallelism();
    expect(loadConfig({}).decode).toEqual({ workers: defaultDecodeWorkers(cores), timeoutMs: 10_000 });
    expect([1, 2, 3, 4, 6, 16].map(defaultDecodeWorkers)).toEqual([0, 0, 0, 2, 4, 4]);
    expect(loadConfig({ DECODE_WORKERS: '1' }).decode.workers).toBe(1);
    expect(loadConfig({ DECODE_WORKERS: '0', DECODE_TIMEOUT_MS: '2500' }).decode).toEqual({ workers: 0, timeoutMs: 2500 });
    expect(() => loadConfig({ DECODE_WORKERS: '-1' })).toThrow(/DECODE_WORKERS/);
    expect(() => loadConfig({ DECODE_WORKERS: '1.5' })).toThrow(/DECODE_WORKERS/);
    expect(() => loadConfig({ DECODE_TIMEOUT_MS: '10' })).toThrow(/DECODE_TIMEOUT_MS/);
  });
});
