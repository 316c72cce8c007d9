import { INGEST_INVALID_TOPIC, INGEST_TOPIC, isStorableText, type RecordCoordinates } from '@hookline/events';
import { EVENT_TYPE_HEADER } from '@hookline/kafka';
import { describeFailure } from '@hookline/observability';
import { isDataRefusal } from '@hookline/persistence';
import type { Consumer, EachMessagePayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { MessagePublisher, OutboundMessage } from '../kafka/message.publisher';
import type { TenantDirectory } from '../tenancy/tenant.directory';
import { TENANT_ID_HEADER } from './accepted-event.factory';
import { decodeJson } from './ingest-body.reader';
import type { IngestEvents } from './ingest-events.usecase';
import { type ApiErrorDetail, type ApiErrorType, problemOf } from './ingest-problem';
import type { IngestMetrics } from './ingest.metrics';

/** Header of a record on the invalid topic: why it was refused, as JSON `{type, message, fields?}`. */
export const INGEST_ERROR_HEADER = 'hookline-error';
/** Header of a record on the invalid topic: the topic the original record was read from. */
export const SOURCE_TOPIC_HEADER = 'hookline-source-topic';
/** Header of a record on the invalid topic: the original record's partition. */
export const SOURCE_PARTITION_HEADER = 'hookline-source-partition';
/** Header of a record on the invalid topic: the original record's offset. */
export const SOURCE_OFFSET_HEADER = 'hookline-source-offset';

const MAX_TENANT_ID_LENGTH = 200;
// The latest time an event id can be dated at (48 bits of milliseconds).
const MAX_RECORD_TIME = 2 ** 48 - 1;
// Kafka headers count against the record size limit; a reason is for people and needs no more.
const MAX_REASON_FIELDS = 50;
// Failures of one record for something other than a dependency being down before it is set aside.
const MAX_RECORD_FAILURES = 3;

/** A record that could not be handled because a dependency is down: it is read again, never set aside. */
class DependencyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

/** Settings of the consumer. */
export interface IngestConsumerOptions {
  readonly groupId: string;
  /** Partitions processed at once; each partition is still processed in order. */
  readonly partitionsConsumedConcurrently?: number;
  /** Longest pause between attempts to (re)start after the consumer failed. */
  readonly maxRestartDelayMs?: number;
}

/** Collaborators of the consumer. */
export interface IngestConsumerDependencies {
  readonly kafka: Kafka;
  readonly ingest: IngestEvents;
  readonly tenants: TenantDirectory;
  readonly publisher: MessagePublisher;
  readonly metrics: IngestMetrics;
  readonly log: { warn(message: string): void; log(message: string): void };
}

/** What to do with one ingest-topic record. */
type Verdict = { readonly kind: 'routed' } | { readonly kind: 'refused'; readonly reason: ApiErrorDetail };

/**
 * The Kafka adapter of event intake: reads raw events that domain services write to the ingest topic
 * and runs each through the same use case as the HTTP endpoint. Valid events go to their per-type
 * topics; anything else goes to the invalid topic with its original bytes and the reason. A record's
 * offset is committed only after one of those writes was acknowledged, so nothing is dropped: when a
 * dependency is down the handler throws and the record is read again.
 */
export class IngestConsumer {
  private consumer: Consumer | undefined;
  private loop: Promise<void> | undefined;
  // Failures per record (`partition@offset`) that were not a dependency being down.
  private readonly failures = new Map<string, number>();
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: IngestConsumerOptions,
    private readonly deps: IngestConsumerDependencies,
  ) {}

  /** Starts consuming in the background; a broker that is down is retried until `stop`. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops consuming; the record being handled is finished (and committed) first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.loop;
  }

  /** Handles one record; throws when it must be read again later. */
  async handle({
    topic,
    partition,
    message,
  }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>): Promise<void> {
    const done = this.deps.metrics.startRequest('kafka');
    let verdict: Verdict;
    try {
      verdict = await this.judge(message, coordinatesOf(topic, partition, message));
    } catch (error) {
      const after = this.afterFailure(partition, message, error);
      if (after.kind !== 'refused') {
        done('unavailable');
        throw error;
      }
      verdict = after;
    }
    this.failures.delete(`${partition}@${message.offset}`);
    if (verdict.kind === 'refused') {
      const published = await this.deps.publisher.publish([
        refusedRecord(topic, partition, message, verdict.reason),
      ]);
      if (published.kind === 'failed') {
        done('unavailable');
        throw new Error(`could not write a refused record to ${INGEST_INVALID_TOPIC}: ${published.reason}`);
      }
    }
    done(verdict.kind === 'routed' ? 'accepted' : 'rejected');
  }

  private async judge(message: KafkaMessage, record: RecordCoordinates): Promise<Verdict> {
    const tenantId = headerText(message.headers, TENANT_ID_HEADER);
    if (tenantId === undefined || tenantId.trim() === '' || tenantId.length > MAX_TENANT_ID_LENGTH) {
      this.countRefused(message);
      return refuse(
        'missing_tenant',
        `the ${TENANT_ID_HEADER} header must name the tenant that owns the event`,
      );
    }
    if (!isStorableText(tenantId)) {
      // No tenant id holds a NUL, and Postgres would fail the lookup: the record would be read forever.
      this.countRefused(message);
      return refuse(
        'unknown_tenant',
        `the ${TENANT_ID_HEADER} header contains U+0000 (NUL), which no tenant id holds`,
      );
    }
    const tenant = await this.deps.tenants.lookup(tenantId);
    if (tenant.kind === 'unknown') {
      this.countRefused(message);
      return refuse('unknown_tenant', `tenant ${JSON.stringify(tenantId)} does not exist`);
    }
    const decoded = decodeJson(message.value);
    if (decoded.kind === 'malformed') {
      this.countRefused(message);
      return refuse('malformed_json', decoded.message);
    }

    const outcome = await this.deps.ingest.execute({ tenantId, body: decoded.value, record });
    switch (outcome.kind) {
      case 'accepted':
        return { kind: 'routed' };
      case 'unavailable':
      case 'idempotency-in-flight':
        // Not the record's fault: leave it uncommitted and read it again.
        throw new DependencyUnavailableError(`record not handled yet: ${problemOf(outcome).error.message}`);
      default:
        return { kind: 'refused', reason: problemOf(outcome).error };
    }
  }

  /**
   * A record whose handling failed for what it holds (the database refused its data, or the code
   * tripped over something in it that it did not foresee) is read again a few times, then set aside
   * on the invalid topic with the failure, so it never holds up the records behind it. Any other
   * failure (a dependency down, a connection refused) is read again for as long as it lasts.
   */
  private afterFailure(
    partition: number,
    message: KafkaMessage,
    error: unknown,
  ): Verdict | { kind: 'retry' } {
    if (!isRecordFault(error)) return { kind: 'retry' };
    const key = `${partition}@${message.offset}`;
    const failures = (this.failures.get(key) ?? 0) + 1;
    if (this.failures.size >= 10_000) this.failures.clear();
    this.failures.set(key, failures);
    this.deps.log.warn(
      `ingest record ${key} failed (${failures} of ${MAX_RECORD_FAILURES}): ${describeFailure(error)}`,
    );
    if (failures < MAX_RECORD_FAILURES) return { kind: 'retry' };
    this.countRefused(message);
    return refuse('internal_error', `the record could not be handled: ${describeFailure(error)}`);
  }

  private countRefused(message: KafkaMessage): void {
    this.deps.metrics.countEvents([headerText(message.headers, EVENT_TYPE_HEADER)], 'invalid');
  }

  private async run(): Promise<void> {
    let delayMs = 250;
    const maxDelayMs = this.options.maxRestartDelayMs ?? 30_000;
    while (!this.stopping) {
      const consumer = this.deps.kafka.consumer({
        groupId: this.options.groupId,
        allowAutoTopicCreation: false,
        // An idle fetch is answered after this long; it also bounds how long stopping waits for one.
        maxWaitTimeInMs: 1_000,
        // After its retries the client would restart itself on a timer that outlives `disconnect`;
        // restarts are left to the loop below, which `stop` can end.
        retry: {
          retries: 5,
          initialRetryTime: 300,
          maxRetryTime: 5_000,
          restartOnFailure: async () => false,
        },
      });
      this.consumer = consumer;
      const failed = new Promise<string>((resolve) => {
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) resolve(describeFailure(payload.error));
        });
      });
      const stopped = new Promise<string>((resolve) => {
        this.wake = () => resolve('stopping');
      });
      try {
        await consumer.connect();
        // A new group starts at the oldest record: events written before ingest first ran are not lost.
        await consumer.subscribe({ topics: [INGEST_TOPIC], fromBeginning: true });
        await consumer.run({
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
          eachMessage: (payload) => this.handle(payload),
        });
        this.deps.log.log(`consuming ${INGEST_TOPIC} as group ${this.options.groupId}`);
        delayMs = 250;
        const reason = await Promise.race([failed, stopped]);
        if (reason !== 'stopping') this.deps.log.warn(`ingest consumer stopped: ${reason}; restarting`);
      } catch (error) {
        if (!this.stopping)
          this.deps.log.warn(
            `ingest consumer could not start: ${describeFailure(error)}; retrying in ${delayMs} ms`,
          );
      }
      await consumer.disconnect().catch(() => undefined);
      if (this.stopping) return;
      await this.pause(delayMs);
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Whether a failure lies in the record rather than in a dependency being down. */
function isRecordFault(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return false;
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    isDataRefusal(error)
  );
}

function refuse(type: ApiErrorType, message: string): Verdict {
  return { kind: 'refused', reason: { type, message } };
}

/** The original record, unchanged, plus why it was refused and where it came from. */
function refusedRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
  reason: ApiErrorDetail,
): OutboundMessage {
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? (value.at(-1) ?? '') : value;
  }
  const fields = reason.fields?.slice(0, MAX_REASON_FIELDS);
  headers[INGEST_ERROR_HEADER] = JSON.stringify(fields ? { ...reason, fields } : reason);
  headers[SOURCE_TOPIC_HEADER] = topic;
  headers[SOURCE_PARTITION_HEADER] = String(partition);
  headers[SOURCE_OFFSET_HEADER] = message.offset;
  return { topic: INGEST_INVALID_TOPIC, key: message.key ?? null, value: message.value, headers };
}

// The record's timestamp dates its events. Only a record without one (-1) falls outside what an id can
// hold; it is dated at the epoch, since reading the clock would give each reading other ids.
function coordinatesOf(topic: string, partition: number, message: KafkaMessage): RecordCoordinates {
  const timestamp = Number(message.timestamp);
  const timestampMs =
    Number.isSafeInteger(timestamp) && timestamp >= 0 && timestamp <= MAX_RECORD_TIME ? timestamp : 0;
  return { topic, partition, offset: message.offset, timestampMs };
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
}
