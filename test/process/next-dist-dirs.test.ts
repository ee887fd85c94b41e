import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Next rewrites tsconfig.json (truncate, then write) the first time it runs with a build folder
// whose types are not yet in `include`. Process tests start servers with their own NEXT_DIST_DIR in
// parallel with other processes that read tsconfig.json for the `@/` paths (tsx), and a reader that
// lands inside the rewrite fails with "Cannot find package '@/lib'" (seen once in fresh-ci). So every
// build folder the tests use is listed up front, and Next never needs to touch the file.
describe('build folders used by process tests', () => {
  it('are all in tsconfig.json include, so Next never rewrites it mid-run', () => {
    const root = process.cwd();
    const include: string[] = (JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { include: string[] }).include;
    const dirs = new Set<string>();
    for (const file of readdirSync(join(root, 'test', 'process'))) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(root, 'test', 'process', file), 'utf8');
      for (const m of text.matchAll(/['"](\.next-[a-z0-9-]+)['"]/g)) dirs.add(m[1]!);
    }
    expect(dirs.size).toBeGreaterThan(0);
    const missing = [...dirs].flatMap((d) => [`${d}/types/**/*.ts`, `${d}/dev/types/**/*.ts`]).filter((p) => !include.includes(p));
    expect(missing).toEqual([]);
  });
});
