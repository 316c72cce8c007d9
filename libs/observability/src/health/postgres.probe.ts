import { Pool } from 'pg';
import type { ReadinessProbe } from './readiness-probe';

/** Anything that runs SQL: a `pg` Pool or Client, or a TypeORM DataSource. */
export interface SqlQueryable {
  /** Runs one statement. */
  query(sql: string): Promise<unknown>;
}

/** Options of `postgresReadinessProbe`: a URL (the probe opens its own pool) or a queryable the app owns. */
export type PostgresProbeOptions =
  | {
      /** `postgres://` URL of the database the service uses. */
      readonly connectionString: string;
      /** Dependency name in reports; `postgres` unless set. */
      readonly name?: string;
      /** Time allowed to open a connection; 1.5 s unless set, so the real reason beats the probe timeout. */
      readonly connectionTimeoutMs?: number;
    }
  | {
      /** The app's own pool or DataSource; the probe never closes it. */
      readonly queryable: SqlQueryable;
      /** Dependency name in reports; `postgres` unless set. */
      readonly name?: string;
    };

/** Readiness of Postgres: `select 1` through the app's DataSource or a small pool of the probe's own. */
export function postgresReadinessProbe(options: PostgresProbeOptions): ReadinessProbe {
  const name = options.name ?? 'postgres';
  if ('queryable' in options) {
    return {
      name,
      async check() {
        await options.queryable.query('select 1');
      },
    };
  }

  let pool: Pool | undefined;
  let closed = false;
  const lazyPool = (): Pool => {
    if (!pool) {
      pool = new Pool({
        connectionString: options.connectionString,
        max: 1,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 1_500,
        idleTimeoutMillis: 30_000,
        application_name: 'hookline-readiness',
      });
      // An idle connection dropped by the server emits 'error' on the pool; without a listener that
      // would crash the process. The next check simply opens a fresh connection.
      pool.on('error', () => undefined);
    }
    return pool;
  };

  return {
    name,
    async check() {
      if (closed) throw new Error('probe is closed');
      await lazyPool().query('select 1');
    },
    async close() {
      closed = true;
      await pool?.end();
    },
  };
}
