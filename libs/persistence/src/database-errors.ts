/** The SQLSTATE of a PostgreSQL error, wherever TypeORM or pg put it. */
export function postgresErrorCode(error: unknown): string | undefined {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const candidate = typeof code === 'string' ? code : driverError?.code;
  return typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) ? candidate : undefined;
}

/**
 * Whether PostgreSQL refused the data itself (class 22, data exception: a NUL or an unpaired
 * surrogate in `jsonb`, a value out of range; class 23, integrity constraint violation), so that
 * writing the same rows again can never succeed. Connection loss, timeouts, deadlocks and a server
 * shutting down are not: the same write may succeed later.
 */
export function isDataRefusal(error: unknown): boolean {
  if (isMissingPartition(error)) return false;
  const code = postgresErrorCode(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Whether a row named a day whose partition does not exist (yet, or any more). Not a refusal of the
 * data: once the partition is made, the same write succeeds.
 */
export function isMissingPartition(error: unknown): boolean {
  return (
    postgresErrorCode(error) === '23514' && /no partition of relation/.test(String((error as Error)?.message))
  );
}
