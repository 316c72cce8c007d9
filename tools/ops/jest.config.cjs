// The ops tests boot the built services against Postgres (the Kafka broker they need is their own,
// see test/support/platform.ts). Dynamic `import()` is kept as is, so ESM-only packages
// (kubernetes-models) load as ES modules.
const config = require('../../jest.preset.cjs')(__dirname, { infra: ['postgres'], maxWorkers: 1 });

const [pattern, [swc, options]] = Object.entries(config.transform)[0];
config.transform = { [pattern]: [swc, { ...options, module: { ...options.module, ignoreDynamic: true } }] };

module.exports = config;
