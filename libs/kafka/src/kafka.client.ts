import { Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
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

/** How a service reaches Kafka. Built by an app's config.ts (see `readKafkaConfig`) and passed in. */
export interface KafkaConfig {
  /** Bootstrap brokers as `host:port`. */
  brokers: string[];
  /** Client id shown in broker logs and quotas; one per service. */
  clientId: string;
  /** Use TLS towards the brokers. */
  ssl?: boolean;
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
  const kafkaJsConfig: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl ?? false,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: toKafkaJsLogLevel(config.logLevel ?? 'warn'),
    logCreator: createLogCreator(options.logger, config.logLevel ?? 'warn'),
  };
  if (config.sasl) kafkaJsConfig.sasl = toKafkaJsSasl(config.sasl);
  return new Kafka(kafkaJsConfig);
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
