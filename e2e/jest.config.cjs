// Whole-system tests: they run the built services as separate processes, so `nx run-many -t build`
// must have run first (`npm test` does).
module.exports = require('../jest.preset.cjs')(__dirname, {
  infra: ['kafka', 'postgres'],
  testMatch: ['<rootDir>/**/*.e2e.spec.ts'],
  testTimeout: 180_000,
});
