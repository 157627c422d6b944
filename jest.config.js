/** Tests run the TypeScript sources directly (swc), resolving @bullpen/* to their src like `tsx --conditions=development`. */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['development', 'node', 'require'] },
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/charts/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
  testTimeout: 30000,
};
