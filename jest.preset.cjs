// Shared Jest settings: SWC transpiles TypeScript (with decorator metadata, which NestJS needs)
// and workspace libraries resolve to their sources, so tests never depend on a prior build.
const path = require('node:path');

const root = __dirname;

/**
 * Builds a project's Jest config; `projectDir` is the project's folder. `infra` names the real
 * services its tests need (`kafka`, `postgres`); the global setup provides exactly those.
 */
module.exports = function preset(projectDir, { infra = [], ...overrides } = {}) {
  return {
    globals: { hooklineInfra: infra },
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            target: 'es2023',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            keepClassNames: true,
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleNameMapper: {
      '^@hookline/([a-z-]+)$': path.join(root, 'libs/$1/src/index.ts'),
    },
    globalSetup: path.join(root, 'tools/jest/global-setup.cjs'),
    globalTeardown: path.join(root, 'tools/jest/global-teardown.cjs'),
    reporters: ['default', path.join(root, 'tools/jest/summary-reporter.cjs')],
    testTimeout: 60_000,
    // A leaked client after a failed boot must fail the run, not hang it until CI's time limit.
    forceExit: true,
    ...overrides,
  };
};
