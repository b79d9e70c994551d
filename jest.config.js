// Native ESM jest (p-queue and hyparquet are ESM-only) with swc as the TypeScript transform.
export default {
  testEnvironment: '<rootDir>/test/support/typed-array-environment.cjs',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 120000,
  // one temp folder per test run, removed at its end (test/support/tmpSetup.cjs)
  globalSetup: '<rootDir>/test/support/tmpSetup.cjs',
  globalTeardown: '<rootDir>/test/support/tmpTeardown.cjs',
  // two test files at once: most suites wait on the CLI processes they spawn, so the second core is otherwise idle
  maxWorkers: 2,
};
