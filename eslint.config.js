import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Sans-I/O cores: the clock and randomness are injected, never ambient.
    files: ['src/dag/**/*.ts', 'src/crdt/**/*.ts', 'src/group/**/*.ts', 'src/sync/**/*.ts', 'src/sim/**/*.ts', 'src/route/**/*.ts', 'src/ledger/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'sans-I/O: inject randomness' },
        { object: 'Date', property: 'now', message: 'sans-I/O: inject a clock' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'sans-I/O: no timers' },
        { name: 'setInterval', message: 'sans-I/O: no timers' },
        { name: 'performance', message: 'sans-I/O: inject a clock' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'net', 'dgram', 'http', 'https', 'child_process', 'worker_threads', 'better-sqlite3'], message: 'sans-I/O core: no I/O imports' },
          ],
        },
      ],
    },
  },
  {
    // The simulator (and its insecure stand-in signatures) is for tests and benchmarks only.
    files: ['src/**/*.ts'],
    ignores: ['src/sim/**/*.ts', 'src/dag/**/*.ts', 'src/crdt/**/*.ts', 'src/group/**/*.ts', 'src/sync/**/*.ts', 'src/route/**/*.ts', 'src/ledger/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/sim/*', '**/sim/index.ts'], message: 'only tests and benchmarks may use the simulator' }] }],
    },
  },
  {
    // Imports point down the layer table (docs/ARCHITECTURE.md): the network and bundle layers sit
    // below the node that composes them, and take what they need of it through their own ports.
    files: ['src/net/**/*.ts', 'src/bundle/**/*.ts', 'src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/sim/*', '**/sim/index.ts'], message: 'only tests and benchmarks may use the simulator' },
            { group: ['**/node/*', '**/node/index.ts', '**/cli/*', '**/cli/index.ts'], message: 'layers below node may not import node or cli' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
