// Builds the customer portal into dist/apps/portal: TypeScript types generated from the subscription
// API's OpenAPI document, a type check, then one bundled script and one stylesheet (fonts included)
// with content-hashed names, and an index.html naming them. No inline script or style, so the page
// runs under `Content-Security-Policy: default-src 'self'`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const project = dirname(fileURLToPath(import.meta.url));
const root = join(project, '..', '..');
const out = join(root, 'dist', 'apps', 'portal');
const generated = join(project, '.cache', 'openapi');

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync(generated, { recursive: true, force: true });
run([
  join(root, 'node_modules', '@hey-api', 'openapi-ts', 'bin', 'run.js'),
  '-i',
  './docs/openapi.json',
  '-o',
  relative(root, generated),
  '-p',
  '@hey-api/typescript',
  '--silent',
  '--no-log-file',
]);
if (!existsSync(join(generated, 'types.gen.ts'))) {
  throw new Error('no API types were generated from docs/openapi.json: is it valid OpenAPI?');
}
run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(project, 'tsconfig.json')]);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { portal: join(project, 'src', 'main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff2': 'file', '.woff': 'file' },
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((file) => /^portal-.*\.js$/.test(file));
const style = outputs.find((file) => /^portal-.*\.css$/.test(file));
if (!script || !style) throw new Error(`the bundle lacks a script or a stylesheet: ${outputs.join(', ')}`);
copyFileSync(join(project, 'src', 'favicon.svg'), join(out, 'assets', 'favicon.svg'));
const html = readFileSync(join(project, 'src', 'index.html'), 'utf8')
  .replace('%SCRIPT%', `assets/${script}`)
  .replace('%STYLE%', `assets/${style}`);
writeFileSync(join(out, 'index.html'), html);
console.log(`portal built: ${relative(root, out)} (${outputs.length + 2} files)`);
