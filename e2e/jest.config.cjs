// Whole-system tests: they run the built services as separate processes, so `nx run-many -t build`
// must have run first (`npm test` does).
const config = require('../jest.preset.cjs')(__dirname, {
  infra: ['kafka', 'postgres'],
  testMatch: ['<rootDir>/**/*.e2e.spec.ts'],
  testTimeout: 180_000,
});
// Generated OpenAPI clients import their own modules as `./x.js`, as Node16 resolution wants of
// TypeScript sources; Jest runs those sources, so the extension is dropped.
config.moduleNameMapper = { ...config.moduleNameMapper, '^(\\.{1,2}/.*)\\.js$': '$1' };
module.exports = config;
