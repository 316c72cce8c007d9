import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/**
 * Every place where an expression loses one of `labels`: an aggregation whose `by` leaves it out
 * (or whose `without` names it, or that has neither), and a vector match whose `on` leaves it out (or
 * whose `ignoring` names it). Each is reported with its text; none means the labels survive throughout.
 */
export function droppedLabels(expression: string, labels: readonly string[]): string[] {
  const tree = parser.parse(expression);
  const problems: string[] = [];
  const text = (node: SyntaxNode) => expression.slice(node.from, node.to);
  const grouping = (clause: SyntaxNode) =>
    (clause.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text);
  let syntaxError: number | undefined;
  tree.iterate({
    enter(ref) {
      syntaxError ??= ref.type.isError ? ref.from : undefined;
    },
  });
  if (syntaxError !== undefined)
    return [`syntax error at offset ${syntaxError} of ${JSON.stringify(expression)}`];
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (node.type.name === 'AggregateExpr') {
        const modifier = node.getChild('AggregateModifier');
        const listed = modifier ? grouping(modifier) : [];
        const keeps = modifier?.getChild('Without')
          ? labels.every((label) => !listed.includes(label))
          : labels.every((label) => listed.includes(label));
        if (!keeps) problems.push(shorten(text(node)));
      }
      if (node.type.name === 'MatchingModifierClause') {
        const listed = grouping(node);
        const keeps = node.getChild('Ignoring')
          ? labels.every((label) => !listed.includes(label))
          : labels.every((label) => listed.includes(label));
        if (!keeps) problems.push(text(node));
      }
      return undefined;
    },
  });
  return problems;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

/**
 * Every series selector of `expression` lacking one of `matchers` (label → its exact matcher text,
 * e.g. `namespace=~"$namespace"`); a syntax error is reported as such.
 */
export function unscopedSelectors(expression: string, matchers: readonly string[]): string[] {
  const tree = parser.parse(expression);
  const problems: string[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) {
        problems.push(`syntax error at offset ${ref.from} of ${JSON.stringify(expression)}`);
        return false;
      }
      if (ref.type.name !== 'VectorSelector') return undefined;
      const present = (ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map(
        (matcher) => expression.slice(matcher.from, matcher.to).replace(/\s+/g, ''),
      );
      const missing = matchers.filter((matcher) => !present.includes(matcher.replace(/\s+/g, '')));
      if (missing.length > 0)
        problems.push(`${expression.slice(ref.from, ref.to)} lacks ${missing.join(', ')}`);
      return false;
    },
  });
  return problems;
}
