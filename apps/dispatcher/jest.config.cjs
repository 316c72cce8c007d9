module.exports = require('../../jest.preset.cjs')(__dirname, { infra: ['kafka', 'postgres'], maxWorkers: 1 });
