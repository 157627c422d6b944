/** Tests run the TypeScript sources directly (esbuild), resolving @bullpen/* to their src like `tsx --conditions=development`. */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['development', 'node', 'require'] },
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-transform.js' },
  testMatch: ['<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/charts/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
  testTimeout: 30000,
};
