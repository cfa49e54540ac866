/**
 * Tests run as CommonJS through swc (fast, no type-check); `npm run typecheck` covers types.
 *
 * Two projects: `unit` is the fast loop (the tests beside the code, pure or nearly so), run alone
 * with `npm run test:unit`; `integration` is everything under test/ (local servers, DuckDB files,
 * child processes), run alone with `npm run test:integration`. Bare `jest` runs both.
 */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
    // The CEL evaluator ships as ESM only; jest's CommonJS runtime needs it compiled too.
    '/node_modules/@marcbachmann/cel-js/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/shared', '<rootDir>/cli', '<rootDir>/functions', '<rootDir>/infra'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/unit-timeout.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/integration-timeout.ts'],
    },
  ],
};
