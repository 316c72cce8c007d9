/** One record to write to Kafka. */
export interface OutboundMessage {
  readonly topic: string;
  /** Raw bytes only when forwarding a record whose key is not ours to decode. */
  readonly key: string | Buffer | null;
  /** `null` only when forwarding a record that arrived without a value. */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string | Buffer>>;
}

/**
 * Whether a publish was acknowledged by every in-sync replica. A failed one says whether the records
 * may be on Kafka all the same: `no` when they never left the process, `unknown` once they were
 * handed to the client, whose send may have been written although it was not acknowledged.
 */
export type PublishOutcome =
  | { readonly kind: 'published' }
  | { readonly kind: 'failed'; readonly reason: string; readonly written: 'no' | 'unknown' };

/** Writes records durably; the seam between intake and Kafka. */
export interface MessagePublisher {
  /** Resolves once every record is acknowledged (`published`) or the attempt is over (`failed`). */
  publish(messages: readonly OutboundMessage[]): Promise<PublishOutcome>;
}

/** Injection token of the service's `MessagePublisher`. */
export const MESSAGE_PUBLISHER = Symbol('hookline.ingest.message-publisher');
