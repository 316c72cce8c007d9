import { type EnvReader, readPemFile } from '@hookline/config';
import { KAFKA_LOG_LEVELS } from './kafka-log.adapter';
import type { KafkaConfig, KafkaTlsConfig } from './kafka.client';

const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
const BROKER_ADDRESS = /^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

/**
 * Reads the Kafka connection settings every service shares, so they are spelled the same everywhere.
 * Keys: KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE,
 * KAFKA_SSL_KEY_FILE, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD,
 * KAFKA_CONNECTION_TIMEOUT, KAFKA_REQUEST_TIMEOUT, KAFKA_LOG_LEVEL.
 *
 * Settings that would be silently unused are refused instead: credentials without a SASL mechanism,
 * certificate files without TLS, a client certificate without its key or a key without its certificate.
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

  const tls = readTls(r, config.ssl === true);
  if (tls) config.tls = tls;

  const mechanism = r.oneOf('KAFKA_SASL_MECHANISM', SASL_MECHANISMS, 'none');
  if (mechanism !== 'none') {
    // Both are required together; the password is never echoed in a problem message.
    const username = r.string('KAFKA_SASL_USERNAME');
    const password = r.string('KAFKA_SASL_PASSWORD');
    config.sasl = { mechanism, username, password };
  } else {
    const given = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].filter(
      (key) => r.optionalString(key) !== undefined,
    );
    if (given.length > 0) {
      r.problem(
        'KAFKA_SASL_MECHANISM',
        `is none, so ${given.join(' and ')} would be ignored; set it to ${SASL_MECHANISMS.slice(1).join(', ')} ` +
          '(Strimzi: scram-sha-512), or remove the credentials',
      );
    }
  }
  return config;
}

/** The CA bundle and client certificate files, read once at boot; undefined when none is set. */
function readTls(r: EnvReader, ssl: boolean): KafkaTlsConfig | undefined {
  const caFile = r.optionalString('KAFKA_SSL_CA_FILE');
  const certFile = r.optionalString('KAFKA_SSL_CERT_FILE');
  const keyFile = r.optionalString('KAFKA_SSL_KEY_FILE');
  const set = [
    ['KAFKA_SSL_CA_FILE', caFile],
    ['KAFKA_SSL_CERT_FILE', certFile],
    ['KAFKA_SSL_KEY_FILE', keyFile],
  ].filter(([, value]) => value !== undefined);
  if (set.length === 0) return undefined;
  if (!ssl) {
    r.problem('KAFKA_SSL', `must be true when ${set.map(([key]) => key).join(', ')} is set`);
    return undefined;
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
    const present = certFile === undefined ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE';
    r.problem(missing, `is required with ${present}: a client certificate needs its private key`);
  }
  const tls: KafkaTlsConfig = {};
  const ca = caFile && readPemFile(r, 'KAFKA_SSL_CA_FILE', caFile, 'certificate');
  const cert = certFile && readPemFile(r, 'KAFKA_SSL_CERT_FILE', certFile, 'certificate');
  const key = keyFile && readPemFile(r, 'KAFKA_SSL_KEY_FILE', keyFile, 'private key');
  if (ca) tls.ca = ca;
  if (cert && key) {
    tls.cert = cert;
    tls.key = key;
  }
  return tls;
}
