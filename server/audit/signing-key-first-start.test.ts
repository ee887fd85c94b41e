import * as fsp from 'node:fs/promises';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keyIdOf, loadOrCreateSigningKey } from './audit-anchor';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsp>();
  return { ...actual, open: vi.fn(actual.open) };
});

/**
 * Found by the multi-node soak (test/process/multi-node-soak.test.ts): nodes sharing one DATA_DIR
 * and started at the same moment each create the audit signing key when it is absent. One node
 * read the file while another was still writing it, found no key in it and stopped
 * ("AUDIT_SIGNING_KEY … is not an Ed25519 private key in PEM"). Here the first node's write is
 * held back while a second node starts: both must start, with the same key.
 */
describe('the audit signing key at a simultaneous first start', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.mocked(fsp.open).mockRestore();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a node starting while another is still writing the key starts too, and both use one key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-key-race-'));
    dirs.push(dir);
    const path = join(dir, 'audit-signing-key.pem');
    const { open: actualOpen } = await vi.importActual<typeof fsp>('node:fs/promises');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    // The first file created exclusively (the first node's key) gets its bytes only once released.
    vi.mocked(fsp.open).mockImplementation(async (file, flags, mode) => {
      const handle = await actualOpen(file, flags, mode);
      if (!held && flags === 'wx') {
        held = true;
        const write = handle.writeFile.bind(handle);
        handle.writeFile = async (...args: Parameters<typeof handle.writeFile>) => {
          await gate;
          return write(...args);
        };
      }
      return handle;
    });

    const first = loadOrCreateSigningKey(path);
    while (!held) await new Promise((r) => setImmediate(r));
    const second = await loadOrCreateSigningKey(path).then(
      (key) => ({ key }),
      (err: unknown) => ({ err: String(err) }),
    );
    release();
    const firstKey = await first;

    expect(second).toHaveProperty('key');
    if (!('key' in second)) return;
    expect(keyIdOf(firstKey.publicKey)).toBe(keyIdOf(second.key.publicKey));
    expect([firstKey.created, second.key.created].filter(Boolean)).toHaveLength(1);
    // No temporary file is left beside the key.
    expect(readdirSync(dir).sort()).toEqual(['audit-signing-key.pem', 'audit-signing-key.pub.pem']);
  });
});
