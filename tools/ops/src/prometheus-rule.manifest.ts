import { parse } from 'yaml';

/** A prometheus-operator `PrometheusRule` carrying the same groups as a Prometheus rule file. */
export interface PrometheusRuleResource {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; labels: Record<string, string> };
  spec: { groups: unknown[] };
}

/** Wraps the groups of a Prometheus rule file (its YAML text) in a `PrometheusRule`. */
export function prometheusRuleResource(rulesYaml: string, name: string): PrometheusRuleResource {
  const parsed: unknown = parse(rulesYaml);
  const groups = (parsed as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups) || groups.length === 0) throw new Error('the rule file has no groups');
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'hookline-alerts' } },
    spec: { groups },
  };
}
