import { logLevel as KafkaJsLogLevel, type logCreator, type LogEntry } from 'kafkajs';

/** Client log levels, most severe first. */
export const KAFKA_LOG_LEVELS = ['nothing', 'error', 'warn', 'info', 'debug'] as const;

/** How chatty the Kafka client may be. */
export type KafkaLogLevel = (typeof KAFKA_LOG_LEVELS)[number];

/** One client log line, already stripped of anything that looks like a credential. */
export interface KafkaLogRecord {
  level: Exclude<KafkaLogLevel, 'nothing'>;
  /** Client component, e.g. `Consumer` or `Connection`. */
  namespace: string;
  message: string;
  fields: Record<string, unknown>;
}

/** Where client log lines go; apps adapt their own logger to this one method. */
export interface KafkaLogger {
  log(record: KafkaLogRecord): void;
}

const TO_KAFKAJS: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};

const FROM_KAFKAJS: Partial<Record<KafkaJsLogLevel, KafkaLogRecord['level']>> = {
  [KafkaJsLogLevel.ERROR]: 'error',
  [KafkaJsLogLevel.WARN]: 'warn',
  [KafkaJsLogLevel.INFO]: 'info',
  [KafkaJsLogLevel.DEBUG]: 'debug',
};

// The client puts connection details into its log fields; any of these may carry a credential.
const SECRET_FIELD = /pass|secret|token|sasl|auth|credential|key/i;
// Fields that only repeat what the record already says.
const DROPPED_FIELDS = new Set(['timestamp', 'logger', 'message']);

/** Default sink: one JSON object per line on stderr, so logs stay machine-readable. */
export const stderrKafkaLogger: KafkaLogger = {
  log(record) {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: record.level, logger: `kafka.${record.namespace}`, msg: record.message, ...record.fields })}\n`,
    );
  },
};

/** The kafkajs level to configure for a Hookline level, so filtered lines are never even built. */
export function toKafkaJsLogLevel(level: KafkaLogLevel): KafkaJsLogLevel {
  return TO_KAFKAJS[level];
}

/** Adapts `logger` to kafkajs' `logCreator`, dropping lines below `minLevel` and redacting secrets. */
export function createLogCreator(
  logger: KafkaLogger = stderrKafkaLogger,
  minLevel: KafkaLogLevel = 'warn',
): logCreator {
  const threshold = TO_KAFKAJS[minLevel];
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const mapped = FROM_KAFKAJS[level];
      if (mapped === undefined || level > threshold) return;
      logger.log({
        level: mapped,
        namespace: namespace || 'client',
        message: log.message,
        fields: safeFields(log),
      });
    };
}

function safeFields(log: LogEntry['log']): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(log)) {
    if (DROPPED_FIELDS.has(name)) continue;
    fields[name] = SECRET_FIELD.test(name) ? '[redacted]' : value;
  }
  return fields;
}
