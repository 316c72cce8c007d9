import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** One finding of the OpenAPI linter. */
export interface OpenApiProblem {
  readonly ruleId: string;
  readonly severity: 'error' | 'warn';
  readonly message: string;
  /** JSON pointer of the offending part of the document. */
  readonly pointer: string | undefined;
}

interface RedoclyReport {
  problems: Array<{
    ruleId: string;
    severity: 'error' | 'warn';
    message: string;
    location?: Array<{ pointer?: string }>;
  }>;
}

/**
 * Lints an OpenAPI document with Redocly's CLI and its `recommended-strict` rules (every rule of the
 * recommended set, warnings raised to errors), as a client author would before generating from it.
 */
export async function lintOpenApiDocument(document: unknown): Promise<OpenApiProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  try {
    // The CLI exits 1 when it finds problems; its JSON report is on stdout either way.
    const stdout = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', '--extends=recommended-strict', '--format=json', file],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).then(
      (result) => result.stdout,
      (error: { stdout?: string }) => {
        if (!error.stdout) throw error;
        return error.stdout;
      },
    );
    const report = JSON.parse(stdout) as RedoclyReport;
    return report.problems.map((problem) => ({
      ruleId: problem.ruleId,
      severity: problem.severity,
      message: problem.message,
      pointer: problem.location?.[0]?.pointer,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
