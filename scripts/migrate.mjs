#!/usr/bin/env node
// Database schema migrations:
//   node scripts/migrate.mjs up            run every pending migration
//   node scripts/migrate.mjs down [--all]  revert the latest migration (or all of them)
//   node scripts/migrate.mjs status        list migrations and whether each has run
// Uses DATABASE_URL; without it, the local server or the embedded one (started for the run and
// stopped after). Needs the built persistence library: `npm run build` first.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { ensurePostgres, redactUrl } = require('../tools/infra/postgres.cjs');
const { loadLibrary } = require('../tools/infra/workspace-library.cjs');

const usage = 'usage: node scripts/migrate.mjs up | down [--all] | status';

/** Runs `command` against an initialised DataSource and prints what happened. */
async function execute(persistence, dataSource, command, all) {
  if (command === 'up') {
    const applied = await persistence.runMigrations(dataSource);
    console.log(
      applied.length === 0 ? 'No pending migrations.' : applied.map((name) => `applied  ${name}`).join('\n'),
    );
  } else if (command === 'down') {
    const reverted = all
      ? await persistence.revertAllMigrations(dataSource)
      : [await persistence.revertLastMigration(dataSource)].filter((name) => name !== undefined);
    console.log(
      reverted.length === 0
        ? 'No migration to revert.'
        : reverted.map((name) => `reverted ${name}`).join('\n'),
    );
  } else {
    for (const { name, applied } of await persistence.migrationStatus(dataSource)) {
      console.log(`${applied ? 'applied' : 'pending'}  ${name}`);
    }
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command = 'up', ...extra] = positionals;
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!['up', 'down', 'status'].includes(command) || extra.length > 0 || (values.all && command !== 'down')) {
    throw new Error(usage);
  }

  const persistence = loadLibrary('persistence');
  const server = await ensurePostgres({ log: (line) => console.error(line) });
  const dataSource = persistence.createDataSource({
    url: server.url,
    poolSize: 2,
    applicationName: 'hookline-migrate',
  });
  try {
    await dataSource.initialize();
    console.error(`database: ${redactUrl(server.url)}`);
    await execute(persistence, dataSource, command, values.all);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(`migrate: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
