/** When an endpoint counts as failing for good rather than having a bad moment. */
export interface SustainedFailureRule {
  /** How long every delivery must have failed. */
  readonly windowMs: number;
  /** Equal parts the window is cut into. */
  readonly slices: number;
  /** Parts that must hold failures; the first and the last always must. */
  readonly minFailedSlices: number;
}

/** An endpoint the rule says to disable. */
export interface SustainedFailure {
  readonly endpointId: string;
  readonly tenantId: string;
  /** Failed attempts in the window. */
  readonly failures: number;
  /** Parts of the window that hold failures. */
  readonly failedSlices: number;
}

/** Runs SQL; a TypeORM DataSource or EntityManager. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Active endpoints that, over the window ending at `now`:
 * - were not changed (a re-enable or a new URL starts the clock again),
 * - had no successful attempt,
 * - failed in the first and in the last part of the window, so they have failed from its start to
 *   its end, and in at least `minFailedSlices` parts, so those failures are spread over it.
 *
 * One burst of failures, however large, fills one or two parts and never qualifies; an endpoint
 * that gets little traffic qualifies only if its failures (retries included) keep coming back.
 */
export async function findSustainedFailures(
  sql: SqlRunner,
  rule: SustainedFailureRule,
  now: number,
  limit = 1000,
): Promise<SustainedFailure[]> {
  const since = new Date(now - rule.windowMs);
  const sliceMs = rule.windowMs / rule.slices;
  const rows = (await sql.query(
    `SELECT e.id, e.tenant_id, w.failures, w.failed_slices
       FROM (
         SELECT a.endpoint_id,
                bool_or(a.error_class IS NULL) AS succeeded,
                count(*) AS failures,
                count(DISTINCT s.slice) AS failed_slices,
                min(s.slice) AS first_slice,
                max(s.slice) AS last_slice
           FROM delivery_attempts a
           CROSS JOIN LATERAL (
             SELECT least($4::int - 1,
                          floor(extract(epoch FROM a.started_at - $1::timestamptz) * 1000 / $3::float8))::int
                      AS slice
           ) s
          WHERE a.started_at >= $1::timestamptz AND a.started_at <= $2::timestamptz
          GROUP BY a.endpoint_id
       ) w
       JOIN endpoints e ON e.id = w.endpoint_id
      WHERE e.active
        AND e.updated_at <= $1::timestamptz
        AND NOT w.succeeded
        AND w.first_slice = 0
        AND w.last_slice = $4::int - 1
        AND w.failed_slices >= $5::int
      ORDER BY e.id
      LIMIT $6::int`,
    [since, new Date(now), sliceMs, rule.slices, rule.minFailedSlices, limit],
  )) as Array<{ id: string; tenant_id: string; failures: string; failed_slices: string }>;
  return rows.map((row) => ({
    endpointId: row.id,
    tenantId: row.tenant_id,
    failures: Number(row.failures),
    failedSlices: Number(row.failed_slices),
  }));
}
