// Workflow code must stay deterministic: no Node built-ins, no I/O libraries, no provider modules.
// The layers point one way: cli/ (the command) uses workers/ and client/; workers/ use client/;
// client/ (the library backend code imports) uses neither. storage/ (the database and its stores)
// is the floor everything stands on: it imports only domain/ types and common/ helpers. The product
// never imports the harness (harness/: the bench, the crash, cluster and fault runs), the tests or
// the scripts (test/unit/import-graph.test.ts checks the same over every folder).
const tseslint = require('typescript-eslint');

const NODE_BUILTINS = require('node:module').builtinModules.flatMap((name) => [name, `node:${name}`]);
const NOT_THE_HARNESS = {
  group: ['**/harness/**', '**/test/**', '**/scripts/**', '**/bench/**'],
  message: 'The product never imports the harness (harness/), the tests or the scripts.',
};

module.exports = tseslint.config(
  // dist/ is what npm pack and npm run build compile (the package test packs it).
  { ignores: ['node_modules/**', '.data/**', 'dist/**', 'test-output/**', 'harness/bench/output/**', '**/*.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // domain/ (the shared types and ids) is loaded by workflow code: the same rule holds there.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins.' })),
          patterns: [
            {
              group: ['**/providers/**', '**/storage/**', '**/callbacks/**', '**/sandbox/**', '**/workers/**', '**/client/**', '**/cli/**', '**/common/**'],
              message: 'Workflow code never imports providers, storage (the ledger), callbacks, workers, clients or I/O helpers.',
            },
            {
              group: ['undici', 'graphql-request', 'better-sqlite3', 'pg', 'ws', 'socket.io*', 'fastify', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
              message: 'Workflow code imports only @temporalio/workflow, @temporalio/common and shared types.',
            },
            NOT_THE_HARNESS,
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': 'off',
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workers/**', '**/cli/**', '**/sandbox/**'], message: 'The library (client/) never loads workers, the CLI or the simulators.' },
            NOT_THE_HARNESS,
          ],
        },
      ],
    },
  },
  {
    files: ['workers/**/*.ts', 'activities/**/*.ts', 'providers/**/*.ts', 'callbacks/**/*.ts', 'common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/**'], message: 'Only the CLI (cli/) is the composition root; nothing below it imports it.' }, NOT_THE_HARNESS] },
      ],
    },
  },
  {
    // Every other layer reaches the database through storage/; storage/ reaches none of them.
    files: ['storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // A relative path into any top-level folder but storage/, domain/ and common/ (its index too).
              regex: '^(\\.\\.?/)+(activities|workers|client|cli|workflows|providers|callbacks|sandbox)(/|$)',
              message: 'storage/ imports nothing above it: only domain/ types, common/ helpers and the database drivers.',
            },
            NOT_THE_HARNESS,
          ],
        },
      ],
    },
  },
  {
    files: ['cli/**/*.ts', 'sandbox/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_THE_HARNESS] }] },
  },
);
