// Builds the custom server (server/main.ts and what it imports) once, into dist/server/, so
// production starts it with plain `node` (one process, no compiling at start). Plain JavaScript on
// purpose: it runs before anything is compiled. Usage: node scripts/build-server.mjs
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'server');

// Files that find their siblings by `import.meta.url` on purpose and have a built twin beside the
// bundle (entry points below): left alone by the rewrite.
const OWN_URL = new Set([path.join(root, 'server/demo/phantom-generator.ts'), path.join(root, 'server/decode-pool/decode-pool.ts')]);

/**
 * In one bundle every module's `import.meta.url` would be the bundle's, but several read files
 * relative to their own source (package.json, prisma/migrations, node_modules through
 * createRequire, Next's project folder). Each source's `import.meta.url` becomes its own file's URL,
 * computed relative to the bundle at run time, so the checkout can move after the build.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (OWN_URL.has(args.path) || !source.includes('import.meta.url')) return undefined;
      const fromBundle = path.relative(outdir, args.path).split(path.sep).join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'server/main.ts', 'phantom-worker': 'server/demo/phantom-worker.ts', 'decode-worker': 'server/decode-pool/decode-worker.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Every npm package stays a plain Node import from node_modules: native addons (argon2,
  // onnxruntime, libsql), WASM codecs that locate their files, Next itself. Only our own
  // TypeScript (the `@/` alias from tsconfig.json included) is bundled.
  packages: 'external',
  tsconfig: 'tsconfig.json',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  plugins: [ownImportMetaUrl],
});
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`built dist/server/main.js from ${inputs} files in ${Math.round(performance.now() - started)} ms (${pathToFileURL(outdir).href})`);
