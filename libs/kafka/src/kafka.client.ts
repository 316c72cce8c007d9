import { Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import {
  createLogCreator,
  type KafkaLogger,
  type KafkaLogLevel,
  toKafkaJsLogLevel,
} from './kafka-log.adapter';

/** SASL credentials for brokers that require authentication. */
export type KafkaSaslConfig =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }
  | { mechanism: 'scram-sha-512'; username: string; password: string };

/** Whom to trust and, for mutual TLS, who the client is: PEM text, read once at boot. */
export interface KafkaTlsConfig {
  /** CA certificates the brokers' certificates must chain to, instead of the system's trust store. */
  ca?: string;
  /** Certificate chain the client presents (mutual TLS); always set together with `key`. */
  cert?: string;
  /** Private key of `cert`. */
  key?: string;
}

/** How a service reaches Kafka. Built by an app's config.ts (see `readKafkaConfig`) and passed in. */
export interface KafkaConfig {
  /** Bootstrap brokers as `host:port`. */
  brokers: string[];
  /** Client id shown in broker logs and quotas; one per service. */
  clientId: string;
  /** Use TLS towards the brokers. */
  ssl?: boolean;
  /** CA bundle and client certificate of the TLS connection; only used with `ssl`. */
  tls?: KafkaTlsConfig;
  /** SASL authentication; absent for unauthenticated clusters. */
  sasl?: KafkaSaslConfig;
  /** Time allowed to open a TCP (and TLS) connection to a broker. */
  connectionTimeoutMs: number;
  /** Time allowed for a broker to answer one request. */
  requestTimeoutMs: number;
  /** Lowest level of client log lines forwarded to the logger; `warn` unless set. */
  logLevel?: KafkaLogLevel;
}

/** Optional collaborators of the client. */
export interface CreateKafkaOptions {
  /** Receives the client's log lines; JSON lines on stderr when absent. */
  logger?: KafkaLogger;
}

/** Creates a kafkajs client from typed config, with client logs routed through `logger`. */
export function createKafka(config: KafkaConfig, options: CreateKafkaOptions = {}): Kafka {
  if (config.brokers.length === 0) throw new TypeError('KafkaConfig.brokers must name at least one broker');
  return new Kafka({
    clientId: config.clientId,
    ...kafkaConnection(config),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: toKafkaJsLogLevel(config.logLevel ?? 'warn'),
    logCreator: createLogCreator(options.logger, config.logLevel ?? 'warn'),
  });
}

/**
 * The kafkajs settings that decide where and how a client connects (brokers, TLS, SASL), for any
 * other client that must reach the cluster exactly as the service does (its readiness probe).
 */
export function kafkaConnection(config: KafkaConfig): Pick<KafkaJsConfig, 'brokers' | 'ssl' | 'sasl'> {
  const connection: Pick<KafkaJsConfig, 'brokers' | 'ssl' | 'sasl'> = {
    brokers: [...config.brokers],
    ssl: config.ssl ? toTlsOptions(config.tls) : false,
  };
  if (config.sasl) connection.sasl = toKafkaJsSasl(config.sasl);
  return connection;
}

function toTlsOptions(tls: KafkaTlsConfig | undefined): ConnectionOptions | true {
  if (!tls || (tls.ca === undefined && tls.cert === undefined)) return true;
  const options: ConnectionOptions = {};
  if (tls.ca !== undefined) options.ca = [tls.ca];
  if (tls.cert !== undefined && tls.key !== undefined) {
    options.cert = tls.cert;
    options.key = tls.key;
  }
  return options;
}

function toKafkaJsSasl(sasl: KafkaSaslConfig): SASLOptions {
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}
