import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../src/repo-root';
import { readWorkspaceFile } from './support/manifests';
import { SERVICE_NAMES, SERVICES } from './support/service-config';
import { WORKSPACE_PATH } from './support/tools';

/** One Dockerfile instruction, continuation lines joined. */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly name: string;
  readonly from: string;
  readonly instructions: Instruction[];
}

/** Splits a Dockerfile into stages; comments and line continuations are resolved as Docker does. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key, value] = instruction.args.split('=');
      args.set(key, value);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** Whether `.dockerignore` keeps `path` out of the build context (last matching pattern wins). */
function ignored(patterns: readonly string[], path: string): boolean {
  let result = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\0')
        .replace(/\*/g, '[^/]*')
        .replace(/\0/g, '(?:.*/)?')}(?:/.*)?$`,
    );
    if (regex.test(path)) result = !negated;
  }
  return result;
}

const dockerfile = parseDockerfile(readWorkspaceFile('Dockerfile'));
const dockerignore = readWorkspaceFile('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stage = (name: string) => {
  const found = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const instructions = (name: string, keyword: string) =>
  stage(name).instructions.filter((instruction) => instruction.keyword === keyword);

describe('Dockerfile', () => {
  it('is multi-stage, every stage on a Node 24 slim image pinned by digest', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const stageNames = new Set(dockerfile.stages.map((s) => s.name));
    for (const { name, from } of dockerfile.stages) {
      if (stageNames.has(from)) continue;
      const image = from.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => dockerfile.args.get(arg) ?? '');
      expect({ name, from, image }).toEqual({
        name,
        from: '${NODE_IMAGE}@${NODE_IMAGE_DIGEST}',
        image: expect.stringMatching(/^node:24(\.\d+)*-[a-z]+-slim@sha256:/),
      });
    }
  });

  it('pins the Node.js release the project runs on, by the digest of that tag', () => {
    const digest = dockerfile.args.get('NODE_IMAGE_DIGEST') ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const manifest = JSON.parse(readWorkspaceFile('package.json')) as {
      devDependencies?: Record<string, string>;
    };
    const runtime = manifest.devDependencies?.node?.replace(/^\^/, '');
    expect(dockerfile.args.get('NODE_IMAGE')).toBe(`node:${runtime}-bookworm-slim`);
  });

  it('installs exactly the lock file (`npm ci`), never resolving anew (`npm install`)', () => {
    const installs = dockerfile.stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args))
      .map((i) => i.args);
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const install of installs) expect(install).toMatch(/^npm ci\b/);
    expect(instructions('manifests', 'COPY').map((i) => i.args)).toContainEqual(
      expect.stringMatching(/^package\.json package-lock\.json /),
    );
  });

  it('has a lock file that `npm ci` accepts: package.json and package-lock.json agree', () => {
    // The manifests the image's install sees, nothing more.
    const dir = mkdtempSync(join(tmpdir(), 'hookline-npm-ci-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc'])
        cpSync(join(REPO_ROOT, file), join(dir, file));
      for (const lib of readdirSync(join(REPO_ROOT, 'libs'))) {
        if (!existsSync(join(REPO_ROOT, 'libs', lib, 'package.json'))) continue;
        mkdirSync(join(dir, 'libs', lib), { recursive: true });
        cpSync(join(REPO_ROOT, 'libs', lib, 'package.json'), join(dir, 'libs', lib, 'package.json'));
      }
      const result = spawnSync(
        'npm',
        ['ci', '--dry-run', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
        { cwd: dir, env: { ...process.env, PATH: WORKSPACE_PATH }, encoding: 'utf8', timeout: 240_000 },
      );
      expect({
        status: result.status,
        error: result.stderr.split('\n').filter((l) => /error/.test(l)),
      }).toEqual({
        status: 0,
        error: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('has one target per service, running its built entry point on its port', () => {
    for (const service of SERVICE_NAMES) {
      expect(stage(service).from).toBe('runtime');
      expect(instructions(service, 'CMD').map((i) => JSON.parse(i.args))).toEqual([
        ['node', `apps/${service}/dist/main.js`],
      ]);
      expect(existsSync(join(REPO_ROOT, 'apps', service, 'src', 'main.ts'))).toBe(true);
      expect(instructions(service, 'ENV').map((i) => i.args)).toEqual([`PORT=${SERVICES[service]}`]);
      expect(instructions(service, 'EXPOSE')[0]?.args.split(' ')).toContain(String(SERVICES[service]));
    }
  });

  it('runs as a non-root user and declares a HEALTHCHECK', () => {
    const users = instructions('runtime', 'USER').map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const [healthcheck] = instructions('runtime', 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD \["node", "deploy\/docker\/healthcheck\.mjs"\]/);
    expect(instructions('runtime', 'COPY').map((i) => i.args)).toContainEqual(
      expect.stringMatching(/^deploy\/docker\/healthcheck\.mjs /),
    );
  });

  it('ships production dependencies only: the runtime copies node_modules from an --omit=dev install', () => {
    const productionInstall = dockerfile.stages.find((s) =>
      s.instructions.some((i) => i.keyword === 'RUN' && /npm (ci|install)\b.*--omit=dev/.test(i.args)),
    );
    expect(productionInstall).toBeDefined();
    const modules = instructions('runtime', 'COPY').filter((i) => /node_modules/.test(i.args));
    expect(modules.map((i) => i.args)).toEqual([
      `--from=${productionInstall!.name} /app/node_modules ./node_modules`,
    ]);
    // No stage the runtime builds on installs dev dependencies.
    expect(stage('runtime').from).not.toBe('build');
  });

  it('holds no secrets, and the build context leaves them and local artefacts out', () => {
    for (const { name, instructions: all } of dockerfile.stages) {
      const risky = all.filter(
        (i) =>
          ['ENV', 'ARG'].includes(i.keyword) && /(PASSWORD|SECRET|TOKEN|CREDENTIAL|_KEY)\b/i.test(i.args),
      );
      expect({ name, risky }).toEqual({ name, risky: [] });
    }
    for (const path of [
      'node_modules',
      'libs/kafka/node_modules',
      'apps/ingest/dist',
      '.git',
      '.env',
      'apps/.env.local',
      'k8s',
    ]) {
      expect({ path, ignored: ignored(dockerignore, path) }).toEqual({ path, ignored: true });
    }
  });

  it('carries the files the services read at run time besides their code (.proto definitions)', () => {
    const assembly = instructions('build', 'RUN')
      .map((i) => i.args)
      .join(' ');
    const appsWithProtos = SERVICE_NAMES.filter((service) =>
      existsSync(join(REPO_ROOT, 'apps', service, 'proto')),
    );
    expect(appsWithProtos.length === 0 || /cp -R "\$\{project\}\/proto"/.test(assembly)).toBe(true);
    expect(instructions('runtime', 'COPY').map((i) => i.args)).toContain('--from=build /out/ ./');
  });

  it('builds the customer portal and carries its files where the subscription service looks for them', () => {
    const assembly = instructions('build', 'RUN')
      .map((i) => i.args)
      .join(' ');
    expect(assembly).toMatch(/nx run-many -t build -p \S*\bportal\b/);
    expect(assembly).toContain('cp -R dist/apps/portal /out/dist/apps/');
    // The portal's API types come from the checked-in OpenAPI document.
    expect(instructions('build', 'COPY').map((i) => i.args)).toContain('docs/openapi.json docs/');
    // The service's default PORTAL_ASSETS_DIR: dist/apps/portal of the installation (WORKDIR /app).
    expect(readWorkspaceFile('apps/subscription/src/portal/portal.config.ts')).toContain(
      "join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'portal')",
    );
  });

  it('finds in the build context every file it copies', () => {
    const sources = dockerfile.stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) =>
        i.args
          .split(' ')
          .slice(0, -1)
          .filter((part) => !part.startsWith('--')),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({
        source,
        exists: existsSync(join(REPO_ROOT, source)),
        ignored: ignored(dockerignore, source),
      }).toEqual({
        source,
        exists: true,
        ignored: false,
      });
    }
  });

  it('copies into the runtime image every repository file its one-off commands load', () => {
    const copied = instructions('runtime', 'COPY')
      .filter((i) => !i.args.startsWith('--from'))
      .flatMap((i) => {
        const parts = i.args.split(' ');
        const target = parts.at(-1)!.replace(/^\.\//, '');
        return parts.slice(0, -1).map((source) => (target.endsWith('/') ? source : target));
      });
    const scripts = copied.filter((path) => /^scripts\/.*\.mjs$/.test(path));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const text = readWorkspaceFile(script);
      const loaded = [...text.matchAll(/require\('(\.\.\/[^']+)'\)/g)].map((match) =>
        join(dirname(script), match[1]),
      );
      for (const path of loaded)
        expect({ script, path, copied: copied.includes(path) }).toEqual({ script, path, copied: true });
    }
  });
});

describe('the container health check', () => {
  let server: Server;
  let status = 200;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // Asynchronous: the server answering the check runs in this very process.
  const check = (env: Record<string, string>) =>
    new Promise<number>((resolve) => {
      execFile(
        'node',
        ['deploy/docker/healthcheck.mjs'],
        { cwd: REPO_ROOT, env: { PATH: WORKSPACE_PATH, ...env } },
        (error) => resolve(error ? Number(error.code) : 0),
      );
    });

  it('passes while the service answers /healthz with 2xx, and fails otherwise', async () => {
    const port = String((server.address() as AddressInfo).port);
    status = 200;
    expect(await check({ PORT: port })).toBe(0);
    status = 503;
    expect(await check({ PORT: port })).toBe(1);
  });

  it('fails when nothing listens or PORT is unset', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = String((closed.address() as AddressInfo).port);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await check({ PORT: port })).toBe(1);
    expect(await check({})).toBe(1);
  });
});
