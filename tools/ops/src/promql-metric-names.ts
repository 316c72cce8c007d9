import { parser } from '@prometheus-io/lezer-promql';

/** The metric names a PromQL expression selects, or why they cannot be told. */
export type MetricNamesResult =
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Grafana's built-in interval variables stand where PromQL wants a duration; any valid duration
 * makes the expression parse the same way. Other variables (`$service`) only appear inside strings.
 */
const GRAFANA_DURATION_VARIABLES = /\$\{?__(rate_interval|interval|range)(_ms|_s)?\}?/g;

/** `label_values(selector, label)`, Grafana's variable query, which is not PromQL itself. */
const LABEL_VALUES = /^\s*label_values\(\s*(.+?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s;

/**
 * Returns the metric names an expression reads, sorted and without repeats. Fails on a syntax error
 * and on a selector whose name is not a literal (`{__name__=~"..."}`), since neither can be checked
 * against what the services export.
 */
export function metricNamesOf(expression: string): MetricNamesResult {
  const promql = grafanaToPromql(expression);
  const tree = parser.parse(promql);
  const names = new Set<string>();
  let problem: string | undefined;
  tree.iterate({
    enter(node) {
      if (problem !== undefined) return false;
      if (node.type.isError) {
        problem = `syntax error at offset ${node.from} of ${JSON.stringify(promql)}`;
        return false;
      }
      if (node.type.name !== 'VectorSelector') return undefined;
      const identifier = node.node.getChild('Identifier');
      if (identifier) {
        names.add(promql.slice(identifier.from, identifier.to));
        return false;
      }
      const name = nameMatcher(promql.slice(node.from, node.to));
      if (name === undefined)
        problem = `selector without a literal metric name: ${promql.slice(node.from, node.to)}`;
      else names.add(name);
      return false;
    },
  });
  if (problem !== undefined) return { kind: 'invalid', reason: problem };
  if (names.size === 0)
    return { kind: 'invalid', reason: `no metric selected by ${JSON.stringify(expression)}` };
  return { kind: 'names', names: [...names].sort() };
}

/** The PromQL of a Grafana query: the selector of `label_values(...)`, durations for interval variables. */
export function grafanaToPromql(expression: string): string {
  const labelValues = LABEL_VALUES.exec(expression);
  return (labelValues ? labelValues[1] : expression).replace(GRAFANA_DURATION_VARIABLES, '5m');
}

function nameMatcher(selector: string): string | undefined {
  return /__name__\s*=\s*"([A-Za-z_:][A-Za-z0-9_:]*)"/.exec(selector)?.[1];
}
