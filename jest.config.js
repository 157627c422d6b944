/** Tests run the TypeScript sources directly (esbuild), resolving @bullpen/* to their src like `tsx --conditions=development`. */
module.exports = {
  // Jest's node environment that fails a file leaving a Redis connection (a Worker's, a Queue's) open.
  testEnvironment: '<rootDir>/test/support/leak-guard-environment.js',
  testEnvironmentOptions: { customExportConditions: ['development', 'node', 'require'] },
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-transform.js' },
  testMatch: ['<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/charts/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // services/cli/test/e2e needs kube-apiserver and etcd (`make test-k8s`); test/cluster needs the
  // local cluster (`make test-cluster`); the soak runs for minutes on its own (`make soak`).
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/', '/services/cli/test/e2e/', '/test/cluster/', '/test/soak/'],
  testTimeout: 30000,
  // One line naming the missing programs and their install command, instead of a failure per test.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/leak-guard.ts'],
};
