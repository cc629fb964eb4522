/** Four tiers: unit (pure logic), workflow (time-skipping server), integration (dev server + sandbox), cluster (the real server on PostgreSQL). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testTimeout: 300_000,
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/helpers/preload-lazy-modules.ts'],
};
