/** How to reach the database; built by each service's config.ts. */
export interface PersistenceConfig {
  /** Postgres connection URL, e.g. `postgres://user:password@host:5432/hookline`. */
  url: string;
  /** Most connections the pool keeps open (default 10). */
  poolSize?: number;
  /** Shown in `pg_stat_activity`, so a connection can be traced to its service. */
  applicationName?: string;
  /** Log migrations and schema changes. SQL statements are never logged: their parameters carry secrets. */
  logging?: boolean;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}
