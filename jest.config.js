/** Tests run as CommonJS through swc (fast, no type-check); `npm run typecheck` covers types. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/cli', '<rootDir>/functions', '<rootDir>/test', '<rootDir>/infra'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
