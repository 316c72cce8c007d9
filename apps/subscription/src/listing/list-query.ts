import type { ListInput } from './list-input';

/** A parsed query string: flat (`created[gte]` as a key) or nested (`created: { gte }`), by parser. */
export type QueryParams = Record<string, unknown>;

/** One query parameter, from either query-string shape; `created[gte]` is read as `created.gte` too. */
export function queryParam(query: QueryParams, name: string, key?: string): unknown {
  if (key === undefined) return query[name];
  const flat = query[`${name}[${key}]`];
  if (flat !== undefined) return flat;
  const nested = query[name];
  return nested && typeof nested === 'object' && !Array.isArray(nested)
    ? (nested as Record<string, unknown>)[key]
    : undefined;
}

/** Paging and creation-time filters from a query string. */
export function listInputFromQuery(query: QueryParams): ListInput {
  return {
    limit: queryParam(query, 'limit'),
    startingAfter: queryParam(query, 'starting_after'),
    createdGte: queryParam(query, 'created', 'gte'),
    createdLte: queryParam(query, 'created', 'lte'),
  };
}
