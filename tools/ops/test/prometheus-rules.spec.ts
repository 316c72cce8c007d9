import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { droppedLabels } from '../src/promql-grouping';
import { REPO_ROOT } from '../src/repo-root';
import { readWorkspaceFile } from './support/manifests';
import { requireCommand, run } from './support/tools';

const RULES = 'deploy/prometheus/rules/hookline.rules.yml';
const TESTS_DIR = 'deploy/prometheus/tests';

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTestFile {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

const alerts = (parse(readWorkspaceFile(RULES)) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap(
  (group) => group.rules,
);
const testFiles = readdirSync(join(REPO_ROOT, TESTS_DIR))
  .filter((file) => file.endsWith('.yml'))
  .map((file) => `${TESTS_DIR}/${file}`);

/** promtool of Prometheus 2 (the Debian stable package) and 3 (ensure-promtool3.sh), as both run rules. */
const PROMTOOLS: Array<[string, string]> = [
  ['promtool', 'promtool'],
  ['promtool 3', join(REPO_ROOT, 'node_modules', '.cache', 'hookline-tools', 'promtool3')],
];

beforeAll(() => {
  requireCommand('promtool', 'prometheus');
  if (!existsSync(PROMTOOLS[1][1])) throw new Error('promtool 3 is missing; run tools/ops/ensure-tools.sh');
});

describe.each(PROMTOOLS)('the Prometheus alert rules, with %s', (_, promtool) => {
  it('pass `promtool check rules`', () => {
    const result = run(promtool, ['check', 'rules', RULES]);
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('pass their unit tests (`promtool test rules`)', () => {
    expect(testFiles.length).toBeGreaterThan(0);
    const result = run(promtool, ['test', 'rules', ...testFiles]);
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({
      status: 0,
      output: expect.not.stringContaining('FAILED'),
    });
  });

  it('are loaded by the Prometheus configuration of the compose stack (`promtool check config`)', () => {
    const result = run(promtool, ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS: 1 rule files found'),
    });
  });
});

describe('the Prometheus alert rules', () => {
  it('have a unit test per alert that makes it fire, and one that keeps it quiet', () => {
    const fired = new Set<string>();
    const quiet = new Set<string>();
    for (const file of testFiles) {
      const tests = parse(readWorkspaceFile(file)) as RuleTestFile;
      expect(tests.rule_files).toEqual(['../rules/hookline.rules.yml']);
      for (const check of tests.tests.flatMap((test) => test.alert_rule_test ?? [])) {
        ((check.exp_alerts ?? []).length > 0 ? fired : quiet).add(check.alertname);
      }
    }
    const names = alerts.map((rule) => rule.alert);
    expect(names.filter((alert) => !fired.has(alert!))).toEqual([]);
    expect(names.filter((alert) => !quiet.has(alert!))).toEqual([]);
    // A test of an alert that no longer exists would pass vacuously.
    expect([...fired, ...quiet].filter((alert) => !names.includes(alert))).toEqual([]);
  });

  it('are alerts with a severity, a summary and a description', () => {
    for (const rule of alerts) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: expect.stringMatching(/^Hookline[A-Z][A-Za-z]+$/),
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['description', 'summary']);
    }
  });

  it("include the Appmint page's threshold: a delivery failure rate above 10% over 5 minutes", () => {
    const rule = alerts.find((candidate) => candidate.alert === 'HooklineDeliveryFailureRateHigh');
    expect(rule?.expr).toMatch(/\[5m\]/);
    expect(rule?.expr).toMatch(/>\s*0\.10\b/);
  });

  it('never group or select by a per-endpoint, per-event or per-tenant label', () => {
    for (const rule of alerts) {
      expect({ alert: rule.alert, expr: rule.expr }).toEqual({
        alert: rule.alert,
        expr: expect.not.stringMatching(/\b(endpoint(_id)?|event(_id)?|tenant(_id)?|url)\b\s*[=!~,)]/),
      });
    }
  });

  it('keep cluster and namespace through every aggregation and join, so installations never mask each other', () => {
    const problems = alerts.flatMap((rule) =>
      droppedLabels(rule.expr, ['cluster', 'namespace']).map((where) => `${rule.alert}: ${where}`),
    );
    expect(problems).toEqual([]);
  });
});
