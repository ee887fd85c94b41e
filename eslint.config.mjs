import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', '.next/', '.next-*/', 'data/', 'test-results/', 'test-results-*/', 'playwright-report/', 'next-env.d.ts', 'models/training/', 'server/db/generated/', '.scratch/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['app/**/*.tsx', 'app/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Type-aware: a promise nobody awaits, voids or catches is an unhandled rejection waiting to end
    // the process (server/node/install-fail-fast.ts) or a result silently lost.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Client code and the isomorphic contracts never import the server (issue 14 §3): browser
    // bundles must not pull in database clients or secrets, and lib/ is what both sides share.
    // Route handlers, pages and layouts (server components) and the API/DICOMweb folders may.
    files: ['lib/**/*.ts', 'lib/**/*.tsx', 'app/**/*.ts', 'app/**/*.tsx'],
    ignores: ['app/**/route.ts', 'app/**/page.tsx', 'app/**/layout.tsx', 'app/api/**', 'app/dicomweb/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/server', '@/server/*', '**/server/*', '!react-dom/server'],
              message: 'client components and lib/ must not import server code: move the contract (type, schema, constant) to lib/',
            },
          ],
        },
      ],
    },
  },
  {
    // CommonJS on purpose (e.g. the Node version check must run on a Node too old for ESM-only code).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Command-line tools print their results on stdout by design.
    files: ['scripts/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
