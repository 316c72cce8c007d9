import { type KafkaConfig, kafkaConnection } from '@hookline/kafka';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { ReadinessProbe } from './readiness-probe';

/** Options of `kafkaReadinessProbe`. */
export interface KafkaProbeOptions {
  /** How the service reaches the cluster (brokers, TLS, SASL); the probe's own client uses the same. */
  readonly client: KafkaConfig;
  /** Dependency name in reports; `kafka` unless set. */
  readonly name?: string;
  /** Time allowed to open a broker connection; at most 1 s unless set, so a dead broker fails fast. */
  readonly connectionTimeoutMs?: number;
}

/**
 * Readiness of the Kafka cluster: `describeCluster` on a long-lived admin client.
 *
 * The probe owns a dedicated client with retries off, so a refused connection is reported at once
 * with its cause instead of hiding behind kafkajs' backoff until the probe times out. The admin
 * connects on the first check, is kept between checks, and is dropped after any failure so the next
 * check reconnects from scratch (a broker restart leaves kafkajs connections in odd states).
 */
export function kafkaReadinessProbe(options: KafkaProbeOptions): ReadinessProbe {
  const { client } = options;
  const kafka = new Kafka({
    ...kafkaConnection(client),
    clientId: `${client.clientId}-readiness`,
    connectionTimeout: options.connectionTimeoutMs ?? Math.min(client.connectionTimeoutMs, 1_000),
    retry: { retries: 0 },
    // Failures are reported by /readyz and logged once per transition; kafkajs' own logs would repeat them.
    logLevel: logLevel.NOTHING,
  });
  let connection: Promise<Admin> | undefined;
  let closed = false;

  const connect = (): Promise<Admin> => {
    connection ??= (async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        return admin;
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
    })();
    const attempt = connection;
    // Forget a failed attempt so the next check tries again.
    attempt.catch(() => {
      if (connection === attempt) connection = undefined;
    });
    return attempt;
  };

  const drop = async (): Promise<void> => {
    const current = connection;
    connection = undefined;
    const admin = await current?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  };

  return {
    name: options.name ?? 'kafka',
    async check() {
      if (closed) throw new Error('probe is closed');
      const admin = await connect();
      try {
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('cluster reports no brokers');
      } catch (error) {
        await drop();
        throw error;
      }
    },
    async close() {
      closed = true;
      await drop();
    },
  };
}
