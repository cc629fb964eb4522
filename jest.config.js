/**
 * One jest project per tier, each runnable alone (`npm run test:<tier>`, i.e. `jest --selectProjects
 * <tier>`); `npm test` runs them all in one jest, two workers shared by every tier.
 *
 *   unit         pure logic; nothing but Node: no sockets, servers or processes (its environment closes them)
 *   sandbox      the provider simulators over HTTP and WebSocket, on 127.0.0.1
 *   workflow     trackOrder on the time-skipping server, and replay of the recorded histories
 *   integration  the dev server, workers, the ingress and the simulators in real time
 *   browser      the Temporal UI in Chromium (scripts/install-chromium.sh)
 *   cluster      the multi-service Temporal server on PostgreSQL
 */
const tier = (name, options = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  setupFiles: ['<rootDir>/test/helpers/preload-lazy-modules.ts'],
  ...options,
});

module.exports = {
  // Both are global: jest ignores them in a project.
  maxWorkers: 2,
  testTimeout: 300_000,
  projects: [
    tier('unit', { testEnvironment: '<rootDir>/test/helpers/no-network-environment.ts' }),
    tier('sandbox'),
    tier('workflow'),
    tier('integration'),
    tier('browser'),
    tier('cluster'),
  ],
};
