import { decodeDeliveryTask, type RetryTask } from '@hookline/events';
import type { KafkaMessage } from 'kafkajs';

/** A message of a tier partition that leaves the tier now. */
export type Release =
  /** A retry task whose due time has come: it goes back to the dispatcher. */
  | { readonly kind: 'due'; readonly offset: string; readonly task: RetryTask }
  /** A message that is not a retry task: it is set aside on the dead-letter topic with the reason. */
  | {
      readonly kind: 'set-aside';
      readonly offset: string;
      readonly message: KafkaMessage;
      readonly reason: string;
    };

/** What to do with messages fetched from one tier partition. */
export interface ReleasePlan {
  /** The longest run from the head that may leave now, oldest first. */
  readonly release: readonly Release[];
  /** Epoch milliseconds when the first message held back is due; absent when every message leaves. */
  readonly waitUntil?: number;
}

/**
 * Splits fetched tier messages, in offset order, into the run that may leave now and the due time
 * of the first one that may not. A tier holds one fixed delay, so tasks arrive nearly in due order;
 * stopping at the first task not yet due (rather than skipping ahead) keeps the committed offset a
 * plain "everything before this has left", which is what makes a restart lose and repeat nothing
 * beyond the last hand-off in flight. A task behind a later-due one waits at most the schedule's
 * jitter longer than it had to.
 */
export function planRelease(messages: readonly KafkaMessage[], now: number): ReleasePlan {
  const release: Release[] = [];
  for (const message of messages) {
    const decoded = decodeDeliveryTask(message.value ?? Buffer.alloc(0));
    if (!decoded.ok) {
      release.push({ kind: 'set-aside', offset: message.offset, message, reason: decoded.message });
      continue;
    }
    const task = decoded.task;
    if (task.kind !== 'retry') {
      const reason = `a ${task.kind} task does not belong on a retry tier`;
      release.push({ kind: 'set-aside', offset: message.offset, message, reason });
      continue;
    }
    if (task.dueAt > now) return { release, waitUntil: task.dueAt };
    release.push({ kind: 'due', offset: message.offset, task });
  }
  return { release };
}
