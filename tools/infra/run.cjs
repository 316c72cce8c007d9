// Small process helpers shared by the start and test scripts.
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'node_modules', '.bin');

/** Runs a command with node_modules/.bin (and so Node 24) first on PATH; resolves with its exit code. */
function run(command, args, { env = process.env, prefix } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...env, PATH: `${bin}${path.delimiter}${env.PATH || ''}` },
      stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    if (prefix) pipeWithPrefix(child, prefix);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
  });
}

/** Prefixes each line a child prints, so interleaved service logs stay readable. */
function pipeWithPrefix(child, prefix) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
    });
    stream.on('end', () => buffered && process.stdout.write(`${prefix} ${buffered}\n`));
  }
}

module.exports = { root, bin, run, pipeWithPrefix };
