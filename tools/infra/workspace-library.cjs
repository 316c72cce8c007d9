// The one-off scripts run on the built workspace libraries (libs/<name>/dist), in a checkout as in
// the service image.
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

/** Loads the built workspace library `name`, explaining how to build it when it is missing. */
function loadLibrary(name) {
  const entry = join(root, 'libs', name, 'dist', 'index.js');
  if (!existsSync(entry)) {
    throw new Error(
      `the ${name} library is not built; run \`npm run build\` (or \`npx nx build ${name}\`) first`,
    );
  }
  return require(entry);
}

module.exports = { loadLibrary };
