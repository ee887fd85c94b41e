import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const check = (version: string) => spawnSync(process.execPath, ['scripts/check-node-version.cjs', version], { encoding: 'utf8' });

describe('scripts/check-node-version.cjs', () => {
  it('stops an old Node.js at once with one line naming the version needed', () => {
    const r = check('20.19.0');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ich-triage needs Node.js 22.13 or newer (Node.js 24 LTS recommended); this is Node.js 20.19.0.\n');
    expect(check('v22.12.9').status).toBe(1);
  });

  it('lets 22.13 and newer through silently', () => {
    for (const v of ['22.13.0', '24.22.3', '26.1.0']) expect(check(v)).toMatchObject({ status: 0, stderr: '' });
  });
});
