import { z } from 'zod';

const onOff = (fallback: 'on' | 'off') => z.enum(['on', 'off']).default(fallback);
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** Alerts that leave the browser (webhook, FHIR) and the outbox that delivers them; merged into the server's environment schema. */
export const NOTIFY_ENV = {
  /** POST a signed JSON event here for each flagged (or each triaged) study; unset: no webhook. */
  NOTIFY_WEBHOOK_URL: httpUrl.optional(),
  /** HMAC-SHA256 key of the webhook signature (X-ICH-Signature: sha256=<hex of the raw body>); required with NOTIFY_WEBHOOK_URL. */
  NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').max(512).optional(),
  /** Which studies the webhook hears of: `flagged` (default) or `triaged` (every decision, flagged or not). */
  NOTIFY_WEBHOOK_EVENTS: z.enum(['flagged', 'triaged']).default('flagged'),
  /** FHIR R4 base URL: a DiagnosticReport (preliminary, an Observation per finding) is POSTed to <base>/DiagnosticReport; unset: off. */
  NOTIFY_FHIR_URL: httpUrl.optional(),
  /** Bearer token for the FHIR server (Authorization header); unset: none. */
  NOTIFY_FHIR_TOKEN: z.string().min(1).max(4096).optional(),
  /** Which studies go to FHIR: `flagged` or `triaged` (default: every decision, as a report exists for each). */
  NOTIFY_FHIR_EVENTS: z.enum(['flagged', 'triaged']).default('triaged'),
  /** HL7 v2 ORU^R01 over MLLP to this `host:port` (an interface engine, a RIS); unset: off. */
  NOTIFY_HL7_TARGET: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/, 'host:port')
    .refine((v) => Number(v.split(':').pop()) >= 1 && Number(v.split(':').pop()) <= 65535, 'a port 1..65535')
    .optional(),
  /** Which studies go out over HL7: `flagged` (default) or `triaged`. */
  NOTIFY_HL7_EVENTS: z.enum(['flagged', 'triaged']).default('flagged'),
  /** Patient name, ID, birth date and accession number in alerts: off by default (study UID and a link only). */
  NOTIFY_INCLUDE_PHI: onOff('off'),
  /** Attempts before an outgoing message is marked failed (it stays visible and retryable by an admin). */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  /** First retry delay in seconds; doubles per attempt (with jitter) up to OUTBOX_RETRY_MAX_S. */
  OUTBOX_RETRY_BASE_S: z.coerce.number().min(0.1).max(3600).default(2),
  OUTBOX_RETRY_MAX_S: z.coerce.number().min(1).max(86_400).default(600),
  /** Days a delivered message is kept (the admin panel's history) before it is deleted; 0 keeps them forever. Failed ones are never pruned. */
  OUTBOX_KEEP_DELIVERED_DAYS: z.coerce.number().min(0).max(3650).default(30),
  /** One delivery's time limit (seconds) before it is aborted and retried. */
  OUTBOX_DELIVERY_TIMEOUT_S: z.coerce.number().min(0.5).max(300).default(15),
};

type NotifyEnv = z.output<z.ZodObject<typeof NOTIFY_ENV>>;

/** What the notifiers and the outbox run with. */
export interface NotifySettings {
  webhook: { url: URL; secret: string; events: 'flagged' | 'triaged' } | undefined;
  fhir: { baseUrl: URL; token: string | undefined; events: 'flagged' | 'triaged' } | undefined;
  hl7: { host: string; port: number; events: 'flagged' | 'triaged' } | undefined;
  includePhi: boolean;
  outbox: { maxAttempts: number; retry: { baseMs: number; capMs: number }; deliveryTimeoutMs: number; keepDeliveredMs: number };
}

/** The settings, or the problems (`VARIABLE: what is wrong`) that stop the server. */
export function readNotifySettings(e: NotifyEnv): { settings: NotifySettings; problems: string[] } {
  const problems: string[] = [];
  if (e.NOTIFY_WEBHOOK_URL && !e.NOTIFY_WEBHOOK_SECRET) problems.push('NOTIFY_WEBHOOK_SECRET: required with NOTIFY_WEBHOOK_URL (receivers must be able to check the signature)');
  if (e.OUTBOX_RETRY_BASE_S > e.OUTBOX_RETRY_MAX_S) problems.push(`OUTBOX_RETRY_BASE_S: must not exceed OUTBOX_RETRY_MAX_S (${e.OUTBOX_RETRY_MAX_S})`);
  return {
    settings: {
      webhook: e.NOTIFY_WEBHOOK_URL && e.NOTIFY_WEBHOOK_SECRET ? { url: new URL(e.NOTIFY_WEBHOOK_URL), secret: e.NOTIFY_WEBHOOK_SECRET, events: e.NOTIFY_WEBHOOK_EVENTS } : undefined,
      fhir: e.NOTIFY_FHIR_URL ? { baseUrl: new URL(e.NOTIFY_FHIR_URL), token: e.NOTIFY_FHIR_TOKEN, events: e.NOTIFY_FHIR_EVENTS } : undefined,
      hl7: e.NOTIFY_HL7_TARGET ? { host: e.NOTIFY_HL7_TARGET.slice(0, e.NOTIFY_HL7_TARGET.lastIndexOf(':')), port: Number(e.NOTIFY_HL7_TARGET.split(':').pop()), events: e.NOTIFY_HL7_EVENTS } : undefined,
      includePhi: e.NOTIFY_INCLUDE_PHI === 'on',
      outbox: {
        maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
        retry: { baseMs: Math.round(e.OUTBOX_RETRY_BASE_S * 1000), capMs: Math.round(e.OUTBOX_RETRY_MAX_S * 1000) },
        deliveryTimeoutMs: Math.round(e.OUTBOX_DELIVERY_TIMEOUT_S * 1000),
        keepDeliveredMs: Math.round(e.OUTBOX_KEEP_DELIVERED_DAYS * 86_400_000),
      },
    },
    problems,
  };
}

/** Everything off, outbox defaults (tests, and callers without a config). */
export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = readNotifySettings(z.object(NOTIFY_ENV).parse({})).settings;
