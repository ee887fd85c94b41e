import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@/lib/errors';

const onOff = (fallback: 'on' | 'off') =>
  z.enum(['on', 'off']).default(fallback).transform((v) => v === 'on');
const port = z.coerce.number().int().min(0).max(65535);

/** Every environment variable the server reads, with safe defaults for the embedded mode. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds between realtime heartbeats; clients use them to show the connection is alive. */
  HEARTBEAT_INTERVAL_S: z.coerce.number().positive().max(3600).default(5),
  DEMO_SCANNER: onOff('on'),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  heartbeatIntervalMs: number;
  demoScanner: boolean;
};

/** Validates the environment once at start-up; throws CONFIG_INVALID naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('CONFIG_INVALID', `invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    heartbeatIntervalMs: Math.round(e.HEARTBEAT_INTERVAL_S * 1000),
    demoScanner: e.DEMO_SCANNER,
  };
}
