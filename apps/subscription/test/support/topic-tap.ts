import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/** One record read back from a topic. */
export interface TappedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** `null` for a tombstone. */
  readonly value: string | null;
}

/**
 * Watches a topic from the moment it is opened: `read()` returns every record written since, up to
 * the topic's end at the time of the call. Records are acknowledged by all in-sync replicas before the
 * API answers, so after a response they are below the end offset and `read()` sees them; a record
 * that is absent from `read()` was never written.
 */
export class TopicTap {
  private constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly start: ReadonlyMap<number, bigint>,
  ) {}

  /** Starts watching `topic` at its current end. */
  static async open(kafka: Kafka, topic: string): Promise<TopicTap> {
    return new TopicTap(kafka, topic, await endOffsets(kafka, topic));
  }

  /** Every record written since the tap was opened, in offset order per partition. */
  async read(timeoutMs = 20_000): Promise<TappedRecord[]> {
    const end = await endOffsets(this.kafka, this.topic);
    const wanted = [...end].filter(([partition, high]) => high > (this.start.get(partition) ?? 0n));
    if (wanted.length === 0) return [];
    const consumer = this.kafka.consumer({
      groupId: `test.topic-tap.${randomBytes(4).toString('hex')}`,
      allowAutoTopicCreation: false,
    });
    // Keyed by position: a seek may deliver a record a second time.
    const records = new Map<string, TappedRecord>();
    const reached = new Map<number, bigint>();
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      let finish: () => void = () => undefined;
      let fail: (error: unknown) => void = () => undefined;
      const finished = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      const done = () => wanted.every(([partition, high]) => (reached.get(partition) ?? -1n) >= high - 1n);
      timer = setTimeout(
        () => fail(new Error(`TopicTap(${this.topic}): end not reached within ${timeoutMs} ms`)),
        timeoutMs,
      );
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const offset = BigInt(message.offset);
          reached.set(partition, offset);
          const from = this.start.get(partition) ?? 0n;
          const high = end.get(partition) ?? 0n;
          if (offset >= from && offset < high) {
            records.set(`${partition}:${message.offset}`, {
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value === null ? null : message.value.toString('utf8'),
            });
          }
          if (done()) finish();
        },
      });
      // Reading from the beginning would also work; seeking skips what came before the tap opened.
      for (const [partition] of wanted) {
        consumer.seek({ topic: this.topic, partition, offset: String(this.start.get(partition) ?? 0n) });
      }
      await finished;
    } finally {
      if (timer) clearTimeout(timer);
      await consumer.disconnect();
    }
    return [...records.values()].sort(
      (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
    );
  }
}

async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
  } finally {
    await admin.disconnect();
  }
}
