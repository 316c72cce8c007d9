import { createUlidGenerator } from '@hookline/events';

/** Prefixes of the ids this service mints; a ULID follows, so ids sort by creation time. */
export const ID_PREFIXES = {
  tenant: 'ten_',
  apiKey: 'key_',
  operatorKey: 'opk_',
  endpoint: 'wh_',
  delivery: 'delivery_',
  request: 'req_',
} as const;

/** A kind of resource this service mints ids for. */
export type ResourceKind = keyof typeof ID_PREFIXES;

// One generator for the process: ids minted in the same millisecond still sort in creation order.
const ulid = createUlidGenerator();

/** A new id for a resource of `kind`, e.g. `wh_01J9Z…`. */
export function newResourceId(kind: ResourceKind): string {
  return ID_PREFIXES[kind] + ulid();
}
