// Where a process spent its CPU: self time per function and per code owner from a V8 `.cpuprofile`.
import { readFileSync } from 'node:fs';

function owner(url, functionName) {
  if (!url) {
    if (['(garbage collector)', '(idle)', '(program)', '(root)'].includes(functionName)) return functionName;
    return '(native / V8 builtins)';
  }
  if (url.startsWith('node:')) {
    // `node:internal/crypto/keys` → `node:crypto`; `node:net` → `node:net`.
    const parts = url.slice('node:'.length).split('/');
    return `node:${parts[0] === 'internal' && parts.length > 1 ? parts[1].replace(/\.js$/, '') : parts[0]}`;
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return name;
  }
  const app = /\/apps\/([^/]+)\//.exec(url);
  if (app) return `apps/${app[1]}`;
  const lib = /\/libs\/([^/]+)\//.exec(url);
  if (lib) return `@hookline/${lib[1]}`;
  return 'other';
}

function shortLocation(url, line) {
  if (!url) return '';
  const trimmed = url.replace(/^file:\/\//, '');
  const modules = trimmed.lastIndexOf('node_modules/');
  const tail =
    modules !== -1
      ? trimmed.slice(modules + 'node_modules/'.length)
      : trimmed.replace(/^.*?\/(apps|libs)\//, '$1/');
  return `${tail}:${line + 1}`;
}

/**
 * Top self-time functions and self time per owner (package, app, lib) of a `.cpuprofile`, counting
 * only samples taken within `[fromUs, toUs]` of the monotonic clock (`process.hrtime` / 1000), so
 * start-up and idle time around the measured window stay out.
 */
export function summariseProfile(file, { top = 15, fromUs = -Infinity, toUs = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  let totalUs = 0;
  let at = profile.startTime;
  let samples = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromUs || at > toUs) continue;
    samples += 1;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
    totalUs += delta;
  }
  // The nearest frame on the stack that belongs to a package, app or lib: Node.js internals and
  // builtins are charged to whoever called them (an HMAC to the signing code, a socket write to the
  // client library that wrote).
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const callerOf = new Map();
  const responsible = (id) => {
    if (callerOf.has(id)) return callerOf.get(id);
    const { functionName, url } = nodes.get(id).callFrame;
    const who = owner(url, functionName || '(anonymous)');
    const internal = who.startsWith('node:') || who === '(native / V8 builtins)' || who === '(root)';
    const up = parent.get(id);
    const result =
      internal && up !== undefined && nodes.get(up).callFrame.functionName !== '(root)'
        ? responsible(up)
        : who;
    callerOf.set(id, result);
    return result;
  };
  const byFunction = new Map();
  const byOwner = new Map();
  const byCaller = new Map();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}\u0000${shortLocation(url, lineNumber)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const who = owner(url, name);
    byOwner.set(who, (byOwner.get(who) ?? 0) + us);
    const caller = responsible(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  }
  const idleUs = byOwner.get('(idle)') ?? 0;
  const busyUs = Math.max(1, totalUs - idleUs);
  const row = (us) => ({
    selfMs: Math.round(us / 1000),
    percentOfBusy: Math.round((1000 * us) / busyUs) / 10,
  });
  return {
    wallMs: Math.round(totalUs / 1000),
    busyMs: Math.round(busyUs / 1000),
    samples,
    topFunctions: [...byFunction]
      .filter(([key]) => !key.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [name, location] = key.split('\u0000');
        return { function: name, location, ...row(us) };
      }),
    byOwner: [...byOwner]
      .filter(([who]) => who !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([who, us]) => ({ owner: who, ...row(us) })),
    byCaller: [...byCaller]
      .filter(([who]) => who !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([who, us]) => ({ owner: who, ...row(us) })),
  };
}
