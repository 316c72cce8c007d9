import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root';
import { run, WORKSPACE_PATH } from './tools';

/** The four services and their HTTP ports. */
export const SERVICES = {
  ingest: 3001,
  subscription: 3002,
  dispatcher: 3003,
  'retry-scheduler': 3004,
} as const;

/** One of the four services. */
export type ServiceName = keyof typeof SERVICES;

/** Names of the services, in a stable order. */
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/**
 * Every environment key some Hookline process reads, found in the sources: the config readers'
 * `r.<method>('KEY'` calls and direct `process.env.KEY` reads of the scripts.
 */
export function knownConfigKeys(): Set<string> {
  const keys = new Set<string>();
  const sources = [
    ...filesUnder(join(REPO_ROOT, 'apps'), /\/src\/.*\.ts$/),
    ...filesUnder(join(REPO_ROOT, 'libs'), /\/src\/.*\.ts$/),
    ...filesUnder(join(REPO_ROOT, 'scripts'), /\.mjs$/),
  ].filter((file) => !file.endsWith('.spec.ts'));
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\br\.[a-zA-Z]+\(\s*'([A-Z][A-Z0-9_]+)'/g)) keys.add(match[1]);
    for (const match of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) keys.add(match[1]);
  }
  return keys;
}

/** How a service took an environment: it loaded, or its config reader refused it with this message. */
export type ConfigCheck = { readonly kind: 'valid' } | { readonly kind: 'refused'; readonly message: string };

/**
 * Loads `env` with the built service's own `loadConfig`, in a fresh process that sees nothing but
 * `env`, as a container would. Needs `npm run build` (the ops test target builds first).
 */
export function checkServiceConfig(service: ServiceName, env: Readonly<Record<string, string>>): ConfigCheck {
  const config = join(REPO_ROOT, 'apps', service, 'dist', 'config.js');
  if (!existsSync(config)) throw new Error(`${service} is not built; run \`npx nx run-many -t build\` first`);
  const script = `require(${JSON.stringify(config)}).loadConfig(process.env)`;
  const result = run('node', ['-e', script], { env: { ...env, PATH: WORKSPACE_PATH } });
  if (result.status === 0) return { kind: 'valid' };
  return { kind: 'refused', message: result.stderr.trim() || `exit ${result.status}` };
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (pattern.test(path)) files.push(path);
    }
  };
  walk(dir);
  return files;
}
