import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runServerToExit } from '@/test/support/server-process';

/**
 * Issue 15 item 3: a node whose port is taken must not stay up without listening (a supervisor
 * would never restart it). It stops at once with one fatal line naming the port and the variable
 * that sets it, and a non-zero exit.
 */
describe('a port that is already taken (real process)', () => {
  let holder: Server | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await new Promise((r) => (holder ? holder.close(r) : r(undefined)));
    holder = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function occupy(): Promise<number> {
    const port = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder!.listen(port, '127.0.0.1', resolve));
    return port;
  }

  const cases = [
    { listener: 'HTTP', variable: 'PORT' },
    { listener: 'DICOM', variable: 'DICOM_PORT' },
  ];
  it.each(cases)('$listener ($variable): exits non-zero with one clear fatal line', { timeout: 240_000 }, async ({ variable }) => {
    dataDir = mkdtempSync(join(tmpdir(), 'ich-port-taken-'));
    const port = await occupy();
    const result = await runServerToExit({
      dataDir,
      env: { [variable]: String(port), NEXT_DIST_DIR: '.next-process-tests' },
      timeoutMs: 180_000,
    });
    expect(result.code, result.output.slice(-3000)).toBe(1);
    const fatal = result.problems.filter((l) => l.includes('"fatal"') || l.includes('"level":60'));
    expect(fatal, result.output.slice(-3000)).toHaveLength(1);
    expect(fatal[0]).toContain(`port ${port}`);
    expect(fatal[0]).toContain(`(${variable}) is already in use`);
    // Nothing else went wrong on the way out: the one line is the whole story.
    expect(result.problems).toEqual(fatal);
    expect(result.output).not.toMatch(/uncaughtException|unhandledRejection/);
  });
});
