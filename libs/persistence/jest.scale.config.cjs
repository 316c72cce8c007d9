// The migration test on millions of rows: about a minute, so it runs on its own
// (`npm run test:migration-scale`) rather than in every `npm test`.
module.exports = require('../../jest.preset.cjs')(__dirname, {
  infra: ['postgres'],
  testMatch: ['<rootDir>/test/**/*.scale.ts'],
  testTimeout: 120_000,
});
