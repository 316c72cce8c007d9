// Installs the workspace's npm packages when they are missing or older than the lock file, so that
// `npm test` and `npm start` work on a fresh clone. Runs before them on whatever Node started npm.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
const node24 = join(root, 'node_modules', '.bin', 'node');

const stale =
  !existsSync(installed) || !existsSync(node24) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;

if (stale) {
  // `npm install` rather than `npm ci`: it installs the locked versions all the same, and it
  // tolerates a registry that serves only this platform's optional binaries (ci refuses those locks).
  console.log('Installing npm packages...');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
