/**
 * Issue 7 §4: mutated DICOM files (truncation, wrong lengths, bad VRs, huge dimensions, wrong
 * transfer syntax, random corruption) sent through the real ingest path and the real pipeline.
 * No crash, no hang, and every input accounted for: stored and then decoded or failed with a code,
 * a duplicate of one stored before, or quarantined with a reason.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/server/db';
import { InferenceEngine } from '@/server/inference';
import type { IngestOutcome, IngestService } from '@/server/ingest/ingest-service';
import { generatePhantomStudy } from '@/server/phantoms';
import type { TriagePipeline } from '@/server/triage/triage-pipeline';
import { createPipelineStack, TEST_MODEL_MANIFEST } from '../support/pipeline-stack';

const log = pino({ level: 'silent' });
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'server', 'dicom', '__fixtures__');
const GE = join(ROOT, '..', 'shared', 'data', 'dicom', 'ge-head-ct');
const HANG_MS = 10_000;

/** A deterministic random stream (LCG), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** Byte offset of a tag (group, element) in little-endian encoding, or -1. */
function findTag(bytes: Uint8Array, group: number, element: number, from = 132): number {
  for (let i = from; i + 4 <= bytes.length; i++) {
    if (bytes[i] === (group & 0xff) && bytes[i + 1] === group >> 8 && bytes[i + 2] === (element & 0xff) && bytes[i + 3] === element >> 8) return i;
  }
  return -1;
}

/** Where the pixel data starts (or the end), so header mutations stay in the header. */
function headerEnd(bytes: Uint8Array): number {
  const at = findTag(bytes, 0x7fe0, 0x0010);
  return at < 0 ? bytes.length : at;
}

type Mutation = { name: string; apply: (bytes: Uint8Array, rnd: () => number) => Uint8Array };

const MUTATIONS: Mutation[] = [
  { name: 'truncated in the header', apply: (b, r) => b.slice(0, Math.floor(r() * headerEnd(b))) },
  { name: 'truncated in the pixels', apply: (b, r) => b.slice(0, headerEnd(b) + Math.floor(r() * (b.length - headerEnd(b)))) },
  {
    name: 'corrupted header bytes',
    apply: (b, r) => {
      const out = b.slice();
      const end = headerEnd(b);
      for (let n = 1 + Math.floor(r() * 8); n > 0; n--) out[132 + Math.floor(r() * Math.max(1, end - 132))] = Math.floor(r() * 256);
      return out;
    },
  },
  {
    name: 'wrong element length',
    apply: (b, r) => {
      // An explicit-VR short length: set the 2 length bytes of a random element to a random value.
      const out = b.slice();
      const end = headerEnd(b);
      const at = 132 + Math.floor(r() * Math.max(1, end - 140));
      out[at + 6] = Math.floor(r() * 256);
      out[at + 7] = Math.floor(r() * 256);
      return out;
    },
  },
  {
    name: 'bad VR',
    apply: (b, r) => {
      const out = b.slice();
      const end = headerEnd(b);
      const vrs: number[] = [];
      for (let i = 136; i < end - 1; i++) if (/^(US|UL|DS|IS|CS|UI|OB|OW|SQ|LO|SH|PN|DA|TM)$/.test(String.fromCharCode(out[i]!, out[i + 1]!))) vrs.push(i);
      const at = vrs[Math.floor(r() * vrs.length)];
      if (at !== undefined) out.set([0x5a, 0x5a], at); // "ZZ"
      return out;
    },
  },
  {
    name: 'huge dimensions',
    apply: (b) => {
      const out = b.slice();
      for (const element of [0x0010, 0x0011]) {
        const at = findTag(out, 0x0028, element);
        if (at >= 0) out.set([0xff, 0xff], at + 8); // Rows / Columns = 65535
      }
      return out;
    },
  },
  {
    name: 'wrong transfer syntax',
    apply: (b, r) => {
      const out = b.slice();
      const at = findTag(out, 0x0002, 0x0010, 128);
      const others = ['1.2.840.10008.1.2.5', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2\0\0', '1.2.840.10008.1.2.4.50'];
      const uid = others[Math.floor(r() * others.length)]!;
      const len = out[at + 6]! | (out[at + 7]! << 8);
      if (at >= 0 && uid.length <= len) out.set(new TextEncoder().encode(uid.padEnd(len, '\0')), at + 8);
      return out;
    },
  },
];

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took over ${HANG_MS} ms`)), HANG_MS);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

describe('fuzz: mutated DICOM through ingest and analysis', () => {
  let dataDir: string;
  let db: Database;
  let engine: InferenceEngine;
  let pipeline: TriagePipeline;
  let ingest: IngestService;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log });
    ({ db, pipeline, ingest } = await createPipelineStack({ dataDir, engine, quietPeriodMs: 300 }));
    pipeline.start();
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    await engine?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accounts for every input: stored then decoded or failed with a code, a duplicate, or quarantined with a reason', async () => {
    // Bases: synthetic phantom slices (a fresh SOP Instance UID each), every transfer syntax in
    // the fixtures, and the real GE head CT when ../shared/data is there.
    const bases: { name: string; bytes: Uint8Array }[] = [];
    const phantom = generatePhantomStudy({ seed: 11, slices: 70, size: 64, hemorrhage: 'subdural' });
    phantom.slices.forEach((s, i) => bases.push({ name: `phantom#${i}`, bytes: s.bytes }));
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.dcm'))) bases.push({ name: f, bytes: new Uint8Array(readFileSync(join(FIXTURES, f))) });
    if (existsSync(GE)) for (const f of readdirSync(GE).filter((n) => n.endsWith('.dcm')).slice(0, 7)) bases.push({ name: `ge/${f}`, bytes: new Uint8Array(readFileSync(join(GE, f))) });

    const rnd = random(20261123);
    const outcomes: { input: string; outcome: IngestOutcome }[] = [];
    for (const [i, base] of bases.entries()) {
      const mutation = MUTATIONS[i % MUTATIONS.length]!;
      const input = `${base.name} ${mutation.name}`;
      const bytes = mutation.apply(base.bytes, rnd);
      outcomes.push({ input, outcome: await withTimeout(ingest.ingest(bytes, { channel: 'fuzz', sender: 'test' }), `ingest of ${input}`) });
    }

    // Every outcome is one of the three, and quarantine says why.
    const stored = outcomes.filter((o) => o.outcome.status === 'stored');
    const quarantined = outcomes.filter((o) => o.outcome.status === 'quarantined');
    const duplicates = outcomes.filter((o) => o.outcome.status === 'duplicate');
    expect(stored.length + quarantined.length + duplicates.length).toBe(bases.length);
    for (const q of quarantined) if (q.outcome.status === 'quarantined') expect(q.outcome.error.code, q.input).toMatch(/^[A-Z_]+$/);
    // Both paths are exercised: the mutations are not all fatal, nor all harmless.
    expect(stored.length).toBeGreaterThan(20);
    expect(quarantined.length).toBeGreaterThan(20);

    // Every quarantined input has its row and its file.
    const rows = await db.prisma.quarantinedInput.findMany();
    expect(rows).toHaveLength(quarantined.length);
    for (const row of rows) {
      expect(row.errorCode).toMatch(/^[A-Z_]+$/);
      expect(row.message.length).toBeGreaterThan(0);
      expect(existsSync(join(dataDir, 'quarantine', row.storedPath))).toBe(true);
    }

    // Every stored instance is analysed to an end state: decoded, or failed with a code; and every
    // study leaves the pipeline triaged (flagged, not flagged, or not analysable with a reason).
    const sops = stored.map((s) => (s.outcome.status === 'stored' ? s.outcome.sopInstanceUid : ''));
    const settled = async () => {
      const pending = await db.prisma.instance.count({ where: { SOPInstanceUID: { in: sops }, decodeStatus: 'pending' } });
      const open = await db.prisma.study.count({ where: { status: { not: 'triaged' } } });
      return pending === 0 && open === 0;
    };
    const end = Date.now() + 60_000;
    while (!(await settled())) {
      if (Date.now() > end) throw new Error('the pipeline did not settle within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const instances = await db.prisma.instance.findMany({ where: { SOPInstanceUID: { in: sops } } });
    expect(instances).toHaveLength(new Set(sops).size);
    for (const inst of instances) {
      if (inst.decodeStatus === 'failed') expect(inst.decodeErrorCode).toMatch(/^[A-Z_]+$/);
      else expect(inst.decodeStatus).toBe('decoded');
    }
    expect(instances.some((i) => i.decodeStatus === 'failed')).toBe(true);
    const studies = await db.prisma.study.findMany();
    for (const s of studies) {
      expect(s.outcome).not.toBeNull();
      if (s.outcome === 'not_analysable') expect(s.notAnalysableReason?.length).toBeGreaterThan(10);
    }
    const failedJobs = await db.prisma.job.count({ where: { status: 'failed' } });
    expect(failedJobs).toBe(0);
  }, 180_000);
});
