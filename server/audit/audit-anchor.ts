import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '@/lib/errors';
import type { DbClient } from '@/server/db';
import type { Logger } from '@/server/logging';

/** One line of the checkpoint file: the journal's head at a moment, signed with the server key. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  at: string;
  /** SHA-256 (hex, first 16) of the public key, so a line signed by another key is named as such. */
  keyId: string;
  /** Ed25519 over `checkpointMessage(seq, hash, at)`, base64. */
  signature: string;
}

/** What is signed: a fixed-order JSON array (one JSON text per value), tagged with its version. */
export function checkpointMessage(seq: number, hash: string, at: string): Buffer {
  return Buffer.from(JSON.stringify(['ich-audit-checkpoint-v1', seq, hash, at]), 'utf8');
}

/** The signing key's id: what checkpoints name. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/**
 * Reads the Ed25519 signing key at `path`, or generates it there when absent (mode 0600) with its
 * public half beside it (`.pub.pem`) to copy elsewhere. `created` says which happened. Nodes
 * sharing DATA_DIR may start at once: the key is written whole under a temporary name and then
 * linked into place, so another node finds either no key or a whole one (never a half-written
 * file), and the link refuses to replace a key that appeared meanwhile: all keep the first one.
 */
export async function loadOrCreateSigningKey(path: string): Promise<{ privateKey: KeyObject; publicKey: KeyObject; created: boolean }> {
  const existing = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) return { ...fromPem(existing, path), created: false };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeSynced(temp, 'wx', 0o600, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await link(temp, path);
  } catch (err) {
    // Another node created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(path);
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
  await writeSynced(`${path.replace(/\.pem$/, '')}.pub.pem`, 'w', 0o644, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { privateKey, publicKey, created: true };
}

/** Reads the key at `path` without creating it (the verifier); undefined when there is none. */
export async function readSigningKey(path: string): Promise<{ privateKey: KeyObject; publicKey: KeyObject } | undefined> {
  const pem = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  return pem === undefined ? undefined : fromPem(pem, path);
}

function fromPem(pem: string, path: string): { privateKey: KeyObject; publicKey: KeyObject } {
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`an ${privateKey.asymmetricKeyType} key`);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `AUDIT_SIGNING_KEY ${path} is not an Ed25519 private key in PEM: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function writeSynced(path: string, flags: 'w' | 'wx' | 'a', mode: number, text: string): Promise<void> {
  const file = await open(path, flags, mode);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Every line of the checkpoint file, parsed; a line that is not a checkpoint is returned as its number. */
export async function readCheckpoints(file: string): Promise<{ checkpoints: { line: number; checkpoint: AuditCheckpoint }[]; unreadable: number[] }> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const checkpoints: { line: number; checkpoint: AuditCheckpoint }[] = [];
  const unreadable: number[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const c = JSON.parse(raw) as Partial<AuditCheckpoint>;
      if (Number.isInteger(c.seq) && typeof c.hash === 'string' && typeof c.at === 'string' && typeof c.keyId === 'string' && typeof c.signature === 'string') {
        checkpoints.push({ line: i + 1, checkpoint: c as AuditCheckpoint });
        return;
      }
    } catch {
      // counted below
    }
    unreadable.push(i + 1);
  });
  return { checkpoints, unreadable };
}

/** Whether `c` was signed by `publicKey`. */
export function checkpointSignedBy(c: AuditCheckpoint, publicKey: KeyObject): boolean {
  if (c.keyId !== keyIdOf(publicKey)) return false;
  try {
    return verify(null, checkpointMessage(c.seq, c.hash, c.at), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

export interface AuditAnchorOptions {
  prisma: DbClient;
  /** AUDIT_SIGNING_KEY: the Ed25519 private key file (generated when absent). */
  keyPath: string;
  /** The append-only checkpoint file (JSON lines). */
  file: string;
  log: Logger;
}

/**
 * Anchors the audit journal outside the database: every interval, when the journal has grown, the
 * newest entry's (seq, hash) is signed with a server key that lives in a file, not in the database,
 * and appended to a JSON-lines file. Someone who can write the database but not that key can
 * re-hash a rewritten chain or cut its tail, but cannot make a checkpoint agree with the result:
 * `npm run audit:verify` checks the chain against every checkpoint. A checkpoint is only ever
 * written after one the journal still agrees with, so a truncation is never laundered by signing
 * its shorter head.
 */
export class AuditAnchor {
  private timer: NodeJS.Timeout | undefined;
  private last: { seq: number; hash: string } | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private refusedAt: number | undefined;

  private constructor(
    private readonly o: AuditAnchorOptions,
    private readonly privateKey: KeyObject,
    readonly keyId: string,
  ) {}

  /** Loads (or generates, saying so in the log) the key and reads the newest checkpoint. */
  static async open(o: AuditAnchorOptions): Promise<AuditAnchor> {
    const key = await loadOrCreateSigningKey(o.keyPath);
    const keyId = keyIdOf(key.publicKey);
    if (key.created) o.log.warn({ keyPath: o.keyPath, keyId }, 'generated the audit signing key (Ed25519); back it up and keep a copy of its .pub.pem off this machine: audit:verify needs it');
    const anchor = new AuditAnchor(o, key.privateKey, keyId);
    const { checkpoints } = await readCheckpoints(o.file);
    const newest = checkpoints.reduce<AuditCheckpoint | undefined>((best, { checkpoint }) => (!best || checkpoint.seq > best.seq ? checkpoint : best), undefined);
    if (newest) anchor.last = { seq: newest.seq, hash: newest.hash };
    return anchor;
  }

  /** Checkpoints now and then every `intervalMs`; errors are logged, never thrown. */
  start(intervalMs: number): void {
    const tick = () => {
      this.checkpoint().catch((err: unknown) => this.o.log.error({ err }, 'could not write an audit checkpoint'));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes a last checkpoint (a clean shutdown leaves no unanchored tail). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint().catch((err: unknown) => this.o.log.error({ err }, 'could not write the last audit checkpoint'));
  }

  /**
   * Signs and appends the journal's head if it moved since the last checkpoint. Returns the new
   * checkpoint, or undefined when nothing was written (unchanged, empty, or no longer agreeing
   * with the last checkpoint: then an error is logged and nothing is signed).
   */
  checkpoint(now = new Date()): Promise<AuditCheckpoint | undefined> {
    const run = this.writing.then(() => this.write(now));
    this.writing = run.catch(() => {});
    return run;
  }

  private async write(now: Date): Promise<AuditCheckpoint | undefined> {
    const head = await this.o.prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    if (!head || (this.last && head.seq === this.last.seq && head.hash === this.last.hash)) return undefined;
    if (this.last) {
      const then = await this.o.prisma.auditEvent.findUnique({ where: { seq: this.last.seq }, select: { hash: true } });
      if (!then || then.hash !== this.last.hash) {
        // Logged once per process, not every interval.
        if (this.refusedAt === undefined) this.o.log.error({ checkpointSeq: this.last.seq, headSeq: head.seq }, 'the audit journal no longer matches its last signed checkpoint (cut or rewritten); no further checkpoint is signed: run npm run audit:verify');
        this.refusedAt = now.getTime();
        return undefined;
      }
    }
    const at = now.toISOString();
    const signature = sign(null, checkpointMessage(head.seq, head.hash, at), this.privateKey).toString('base64');
    const checkpoint: AuditCheckpoint = { seq: head.seq, hash: head.hash, at, keyId: this.keyId, signature };
    await mkdir(dirname(this.o.file), { recursive: true });
    await writeSynced(this.o.file, 'a', 0o640, `${JSON.stringify(checkpoint)}\n`);
    this.last = { seq: head.seq, hash: head.hash };
    return checkpoint;
  }
}
