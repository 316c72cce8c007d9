// Writes screenshots of the customer portal's main views to docs/portal/: builds what the browser
// test needs, then runs it (e2e/portal.e2e.spec.ts) with PORTAL_SCREENSHOTS set. The test starts its
// own broker and services; Postgres is the test server's, started here when none is reachable.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { run } = require('../tools/infra/run.cjs');
const { ensurePostgres } = require('../tools/infra/postgres.cjs');

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', PORTAL_SCREENSHOTS: '1' };
let postgres;
let code = await run('node', ['scripts/ensure-browser.mjs'], { env });
if (code === 0) {
  if (!env.DATABASE_URL) {
    postgres = await ensurePostgres({});
    env.DATABASE_URL = postgres.url;
  }
  // The spec runs on a broker of its own; this only tells the shared test setup not to start another.
  env.KAFKA_BROKERS ??= '127.0.0.1:31792';
  code = await run(
    'nx',
    ['run-many', '-t', 'build', '-p', 'subscription,dispatcher,portal', '--outputStyle=static'],
    {
      env,
    },
  );
}
if (code === 0) {
  code = await run(
    'node',
    [
      '--experimental-vm-modules',
      '--disable-warning=ExperimentalWarning',
      '--disable-warning=TimeoutNegativeWarning',
      'node_modules/jest/bin/jest.js',
      '-c',
      'e2e/jest.config.cjs',
      '--runInBand',
      'e2e/portal.e2e.spec.ts',
    ],
    { env },
  );
}
await postgres?.stop();
if (code === 0) console.log('Screenshots written to docs/portal/');
process.exit(code);
