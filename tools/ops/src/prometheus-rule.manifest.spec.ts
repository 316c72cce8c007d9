import { prometheusRuleResource } from './prometheus-rule.manifest';

describe('prometheusRuleResource', () => {
  it('carries the groups of the rule file unchanged', () => {
    const rules =
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5m\n';

    expect(prometheusRuleResource(rules, 'hookline')).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'hookline', labels: { 'app.kubernetes.io/name': 'hookline-alerts' } },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m' }] }] },
    });
  });

  it('refuses a file without groups', () => {
    expect(() => prometheusRuleResource('groups: []\n', 'x')).toThrow(/no groups/);
    expect(() => prometheusRuleResource('', 'x')).toThrow(/no groups/);
  });
});
