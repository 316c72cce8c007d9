// The local-infrastructure scripts are tested with stand-ins for the broker process, so these tests
// need no Kafka and no Postgres of their own.
module.exports = require('../../jest.preset.cjs')(__dirname);
