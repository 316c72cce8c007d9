import type { EnvReader } from '@hookline/config';
import { KAFKA_LOG_LEVELS } from './kafka-log.adapter';
import type { KafkaConfig } from './kafka.client';

const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
const BROKER_ADDRESS = /^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

/**
 * Reads the Kafka connection settings every service shares, so they are spelled the same everywhere.
 * Keys: KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SSL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME,
 * KAFKA_SASL_PASSWORD, KAFKA_CONNECTION_TIMEOUT, KAFKA_REQUEST_TIMEOUT, KAFKA_LOG_LEVEL.
 */
export function readKafkaConfig(r: EnvReader, defaults: { clientId: string }): KafkaConfig {
  const brokers = r.list('KAFKA_BROKERS', ['127.0.0.1:9092']);
  const malformed = brokers.filter((broker) => !BROKER_ADDRESS.test(broker));
  if (brokers.length === 0) r.problem('KAFKA_BROKERS', 'must name at least one broker as host:port');
  if (malformed.length > 0)
    r.problem('KAFKA_BROKERS', `entries must be host:port, got ${malformed.join(', ')}`);

  const config: KafkaConfig = {
    brokers,
    clientId: r.string('KAFKA_CLIENT_ID', { default: defaults.clientId }),
    ssl: r.bool('KAFKA_SSL', false),
    connectionTimeoutMs: r.durationMs('KAFKA_CONNECTION_TIMEOUT', 3_000),
    requestTimeoutMs: r.durationMs('KAFKA_REQUEST_TIMEOUT', 30_000),
    logLevel: r.oneOf('KAFKA_LOG_LEVEL', KAFKA_LOG_LEVELS, 'warn'),
  };

  const mechanism = r.oneOf('KAFKA_SASL_MECHANISM', SASL_MECHANISMS, 'none');
  if (mechanism !== 'none') {
    // Both are required together; the password is never echoed in a problem message.
    const username = r.string('KAFKA_SASL_USERNAME');
    const password = r.string('KAFKA_SASL_PASSWORD');
    config.sasl = { mechanism, username, password };
  }
  return config;
}
