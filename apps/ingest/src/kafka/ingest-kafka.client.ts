import { createKafka, type KafkaConfig, type KafkaLogger, stderrKafkaLogger } from '@hookline/kafka';
import type { Kafka } from 'kafkajs';

// The client warns that bounded retries weaken an idempotent producer's exactly-once guarantee. The
// bound is deliberate here: a send that cannot finish must fail so the caller gets a 503 and its
// idempotency key is released, rather than hang until Kafka returns. The duplicate that retrying
// could create is what idempotency keys and event ids exist for.
const DELIBERATE_RETRY_LIMIT = 'Limiting retries for the idempotent producer';

/** The Kafka client of the ingest service: the shared factory, minus one warning about a choice made on purpose. */
export function createIngestKafka(config: KafkaConfig, sink: KafkaLogger = stderrKafkaLogger): Kafka {
  return createKafka(config, {
    logger: {
      log(record) {
        if (record.namespace === 'Producer' && record.message.startsWith(DELIBERATE_RETRY_LIMIT)) return;
        sink.log(record);
      },
    },
  });
}
