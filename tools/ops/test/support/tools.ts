import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root';

/** What a finished command printed and how it ended. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** node_modules/.bin first, so `node` is the workspace's Node 24. */
export const WORKSPACE_PATH = `${join(REPO_ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;

/** Runs a command from the workspace root and waits for it. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): CommandResult {
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    env: options.env ?? { ...process.env, PATH: WORKSPACE_PATH },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether `command` is on PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** Fails with a message saying how to get a missing tool, instead of letting a test skip. */
export function requireCommand(command: string, debianPackage: string): void {
  if (!hasCommand(command)) {
    throw new Error(
      `${command} is not installed; run tools/ops/ensure-tools.sh (installs the Debian package ${debianPackage})`,
    );
  }
}

/** Renders a kustomization with the standalone kustomize, or the one built into kubectl. */
export function kustomizeBuild(dir: string): string {
  const [command, args] = hasCommand('kustomize')
    ? ['kustomize', ['build', dir]]
    : hasCommand('kubectl')
      ? ['kubectl', ['kustomize', dir]]
      : [undefined, []];
  if (command === undefined) {
    throw new Error('neither kustomize nor kubectl is installed; run tools/ops/ensure-tools.sh for details');
  }
  const result = run(command, args);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}
