import { readFileSync } from 'node:fs';

/** The server's version, from package.json (read once at start-up). */
export function readVersion(packageJsonPath = new URL('../package.json', import.meta.url)): string {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
