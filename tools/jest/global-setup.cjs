// Gives every test run a real Kafka broker and a real Postgres server.
// `npm test` starts both once and exports KAFKA_BROKERS and DATABASE_URL; a project's tests run on
// their own (`nx test <project>`) start what is missing here and stop it in the teardown.
module.exports = async function globalSetup(_globalConfig, projectConfig) {
  // Each project names what its tests need (jest.preset.cjs `infra`); unit-only projects need nothing.
  const needs = new Set((projectConfig.globals && projectConfig.globals.hooklineInfra) || []);
  const started = [];
  if (needs.has('kafka') && !process.env.KAFKA_BROKERS) {
    const { startKafka } = require('../infra/kafka.cjs');
    const port = Number(process.env.HOOKLINE_TEST_KAFKA_PORT || 31092);
    const kafka = await startKafka({ port, fresh: true });
    process.env.KAFKA_BROKERS = kafka.brokers;
    started.push(kafka);
  }
  if (needs.has('postgres') && !process.env.DATABASE_URL) {
    const { ensurePostgres } = require('../infra/postgres.cjs');
    const postgres = await ensurePostgres({});
    process.env.DATABASE_URL = postgres.url;
    started.push(postgres);
  }
  globalThis.__hooklineInfra = started;
};
