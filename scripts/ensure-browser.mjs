// Makes sure a Chromium the browser tests can drive is on PATH: Debian's `chromium` package,
// installed with apt-get (as root, non-interactive) when it is missing. Runs before `npm test`.
import { spawnSync } from 'node:child_process';

const PACKAGE = 'chromium';

function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

function apt(args) {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

if (!onPath('chromium')) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !onPath('apt-get')) {
    console.error(
      `The browser tests need Chromium: install the Debian package "${PACKAGE}" (apt-get install -y ${PACKAGE}) as root.`,
    );
    process.exit(1);
  }
  console.log(`Installing ${PACKAGE} for the browser tests...`);
  const installed =
    apt(['install', '-y', '--no-install-recommends', PACKAGE]) ||
    (apt(['update']) && apt(['install', '-y', '--no-install-recommends', PACKAGE]));
  if (!installed || !onPath('chromium')) {
    console.error(`Could not install "${PACKAGE}" with apt-get; the browser tests need it on PATH.`);
    process.exit(1);
  }
}
