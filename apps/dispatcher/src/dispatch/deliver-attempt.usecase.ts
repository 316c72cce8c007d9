import { randomUUID } from 'node:crypto';
import {
  type AttemptRecord,
  type AttemptRecorder,
  type DeliveryStatus,
  isDataRefusal,
  type OpenedEndpointSnapshot,
} from '@hookline/persistence';
import { nextRetry, type Preset, retryTiers } from '@hookline/presets';
import type { SendResult, Sender } from '../delivery/http-sender';
import { type AttemptOutcome, classifyAttempt } from '../delivery/response-classifier';
import { buildDeliveryHeaders } from './delivery-headers';
import { type AttemptMetricOutcome, type DispatcherMetrics, statusClass } from './dispatcher.metrics';
import type { EndpointDisabler } from './endpoint-disabler';
import type { EndpointGates } from './endpoint-gates';
import type { AttemptRef, RetryHandoff } from './retry-handoff';

/** One attempt to make: which delivery, to which endpoint, with which bytes. */
export interface AttemptRequest {
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly eventId: string;
  readonly eventType: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The endpoint as the view holds it: secrets and header values opened. */
  readonly endpoint: OpenedEndpointSnapshot;
  /** The exact bytes to send and sign. */
  readonly body: Buffer;
  /** When ingest accepted the event, for the end-to-end latency metric. */
  readonly acceptedAt?: number;
  /** The message (`topic/partition/offset`) the attempt comes from; its claim was taken for it. */
  readonly claimToken: string;
}

/** Where the delivery stands after this attempt; every case is durable when returned. */
export type AttemptSettlement = 'delivered' | 'failed' | 'retry-scheduled' | 'deferred';

/** Settings the use case needs beyond the preset. */
export interface DeliverAttemptSettings {
  readonly maxRetryAfterMs: number;
  /** Told when a durable step after the send failed and is being tried again. */
  readonly onSettleError?: (error: unknown, request: AttemptRequest) => void;
}

// Failures that say the endpoint is unwell; 4xx answers mean it is up and answering.
function countsAgainstBreaker(result: SendResult): boolean {
  if (result.kind === 'error')
    return !['blocked-address', 'http-not-allowed', 'invalid-url'].includes(result.errorClass);
  return result.status >= 500 || result.status === 408 || result.status === 429;
}

const SETTLE_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];
// Attempts remembered per process, so a message handled again (a failure elsewhere in its handler)
// joins the attempt already made instead of sending it again.
const MAX_REMEMBERED = 100_000;

/**
 * Makes one delivery attempt: signs the bytes, passes the endpoint's gate (concurrency limit and
 * circuit breaker), sends, classifies the answer, and settles the delivery — recorded, and handed
 * to the retry path or the dead-letter topic when it did not succeed.
 *
 * The caller holds the delivery's claim for this attempt. The request is sent once: when a durable
 * step after the send fails (the database or the broker is down), only that step is tried again,
 * with backoff, until it succeeds or the dispatcher stops. Only a crash between the send and the
 * record repeats a request, and then only after the claim's lease has run out.
 */
export class DeliverAttempt {
  private readonly attempts = new Map<string, Promise<AttemptSettlement>>();
  private stopping = false;

  constructor(
    private readonly sender: Sender,
    private readonly gates: EndpointGates,
    private readonly recorder: AttemptRecorder,
    private readonly retries: RetryHandoff,
    private readonly disabler: EndpointDisabler,
    private readonly preset: Preset,
    private readonly settings: DeliverAttemptSettings,
    private readonly metrics: DispatcherMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes the attempt; resolves once its outcome is durable. */
  execute(request: AttemptRequest): Promise<AttemptSettlement> {
    const key = `${request.deliveryId}#${request.attempt}#${request.claimToken}`;
    const known = this.attempts.get(key);
    if (known) return known;
    if (this.attempts.size >= MAX_REMEMBERED) this.attempts.delete(this.attempts.keys().next().value!);
    const settlement = this.attempt(request);
    this.attempts.set(key, settlement);
    settlement.catch(() => undefined);
    return settlement;
  }

  /**
   * Parks attempt `attempt` of a delivery another process holds for this very message (the
   * partition moved here while that process still runs it): it comes back after the defer delay,
   * when the other process has recorded it or its claim has run out.
   */
  async recheckLater(ref: AttemptRef): Promise<void> {
    const delayMs = this.preset.retry.deferDelayMs;
    await this.durably(() =>
      this.retries.schedule(ref, ref.attempt, delayMs, delayMs, 'claimed by another dispatcher'),
    );
  }

  /** Stops retrying durable steps: what is unsettled then is read again by the partition's next owner. */
  stop(): void {
    this.stopping = true;
  }

  private async attempt(request: AttemptRequest): Promise<AttemptSettlement> {
    const { endpoint } = request;
    const ref: AttemptRef = { ...request, endpointId: endpoint.id };
    // Signed when a slot is free, not when queued: a request that waited behind a slow endpoint
    // must still carry a fresh webhook-timestamp, or receivers would reject it as a replay.
    let headers: Record<string, string> = {};
    let startedAt = new Date();
    const gated = await this.gates.for(endpoint.id).run(() => {
      startedAt = new Date();
      headers = this.sign(request);
      return this.sender.send({
        url: endpoint.url,
        headers,
        body: request.body,
        timeoutMs: this.preset.attemptTimeoutMs,
      });
    }, countsAgainstBreaker);
    if (gated.kind !== 'ran') return this.defer(request, ref, gated.kind);

    const result = gated.value;
    const finishedAt = new Date();
    const outcome = classifyAttempt(
      result,
      { retryNon2xx: this.preset.retry.retryNon2xx, maxRetryAfterMs: this.settings.maxRetryAfterMs },
      finishedAt.getTime(),
    );
    const status = result.kind === 'response' ? result.status : null;
    this.metrics.attemptDuration.observe({ status_class: statusClass(status) }, result.durationMs / 1000);
    const sendId = randomUUID();
    const record = (deliveryStatus: DeliveryStatus, nextAttemptAt: Date | null) =>
      this.durably(
        () =>
          this.recorder.record(
            attemptRecord(
              request,
              sendId,
              headers,
              result,
              outcome,
              startedAt,
              finishedAt,
              deliveryStatus,
              nextAttemptAt,
            ),
          ),
        request,
      );

    switch (outcome.kind) {
      case 'delivered':
        await record('succeeded', null);
        if (request.acceptedAt !== undefined) {
          this.metrics.endToEndLatency.observe((finishedAt.getTime() - request.acceptedAt) / 1000);
        }
        this.count('delivered', status);
        return 'delivered';
      case 'permanent':
        await record('failed', null);
        if (outcome.disableEndpoint) {
          await this.durably(() => this.disabler.disable(endpoint.id, `${outcome.reason}`), request);
        }
        this.count('failed', status);
        return 'failed';
      case 'retryable': {
        const decision = nextRetry(this.preset.retry, request.attempt, {
          ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
        });
        if (decision.kind === 'give-up') {
          await record('failed', null);
          await this.durably(() => this.retries.exhausted(ref, outcome.reason), request);
          this.count('failed', status);
          return 'failed';
        }
        // Recorded before the retry is parked: the record releases the claim and moves the attempt
        // count, so a retry task arriving twice (or a replayed message) finds the attempt made. A
        // crash between the two leaves the delivery awaiting a retry nobody parked; the retry
        // scheduler's sweep of overdue deliveries queues it again.
        await record('awaiting_retry', new Date(finishedAt.getTime() + decision.delayMs));
        await this.durably(
          () =>
            this.retries.schedule(
              ref,
              decision.attempt,
              decision.delayMs,
              decision.tierDelayMs,
              outcome.reason,
            ),
          request,
        );
        this.count('retry', status);
        return 'retry-scheduled';
      }
    }
  }

  // Not an attempt: the endpoint was not called, so the same attempt number is tried later, on the
  // deferral tier, whose delay matches the breaker's reset; the delivery log shows why it waits. An
  // endpoint whose breaker has kept it off for long waits on the longest retry tier no longer than
  // that time, so a backlog waiting on a dead endpoint comes back ever more rarely instead of every
  // few seconds for days, yet soon after an endpoint that was off only briefly recovers.
  private async defer(
    request: AttemptRequest,
    ref: AttemptRef,
    why: 'circuit-open' | 'saturated',
  ): Promise<AttemptSettlement> {
    const reason = why === 'circuit-open' ? 'circuit breaker open' : 'endpoint has too many requests waiting';
    const offFor = why === 'circuit-open' ? this.gates.for(request.endpoint.id).unavailableForMs : 0;
    const delayMs = deferralDelay(this.preset, offFor);
    await this.durably(
      () =>
        this.recorder.defer({
          deliveryId: request.deliveryId,
          tenantId: request.tenantId,
          claimToken: request.claimToken,
          reason: `deferred: ${reason}`,
          nextAttemptAt: new Date(this.now() + delayMs),
        }),
      request,
    );
    await this.durably(() => this.retries.schedule(ref, request.attempt, delayMs, delayMs, reason), request);
    this.count('deferred', null);
    return 'deferred';
  }

  /**
   * Runs a step that must become durable, trying it again after transient failures (database or
   * broker unreachable) until it succeeds or the dispatcher stops. Data the database refuses is not
   * transient: that failure is returned at once.
   */
  private async durably<T>(step: () => Promise<T>, request?: AttemptRequest): Promise<T> {
    for (let failures = 0; ; failures += 1) {
      try {
        return await step();
      } catch (error) {
        if (this.stopping || isDataRefusal(error)) throw error;
        if (request) this.settings.onSettleError?.(error, request);
        await new Promise((resolve) =>
          setTimeout(resolve, SETTLE_BACKOFF_MS[Math.min(failures, SETTLE_BACKOFF_MS.length - 1)]),
        );
      }
    }
  }

  private sign(request: AttemptRequest): Record<string, string> {
    const { endpoint } = request;
    const now = this.now();
    const secrets = endpoint.secrets
      .filter((s) => s.expiresAt === undefined || s.expiresAt > now)
      .map((s) => s.secret);
    return buildDeliveryHeaders({
      brand: this.preset.brand,
      schemes: this.preset.signatureSchemes,
      eventId: request.eventId,
      eventType: request.eventType,
      deliveryId: request.deliveryId,
      body: request.body,
      secrets: secrets.length > 0 ? secrets : [endpoint.secrets[0].secret],
      customHeaders: endpoint.headers,
      timestampSec: Math.floor(now / 1000),
    });
  }

  private count(outcome: AttemptMetricOutcome, status: number | null): void {
    this.metrics.deliveries.inc({ outcome, status_class: statusClass(status) });
  }
}

/** The tier a deferred attempt waits on, given how long its endpoint's breaker has kept it off. */
export function deferralDelay(preset: Preset, unavailableForMs: number): number {
  const base = preset.retry.deferDelayMs;
  const longer = retryTiers(preset.retry).filter((tier) => tier > base && tier <= unavailableForMs);
  return longer.length > 0 ? longer[longer.length - 1] : base;
}

function attemptRecord(
  request: AttemptRequest,
  sendId: string,
  headers: Record<string, string>,
  result: SendResult,
  outcome: AttemptOutcome,
  startedAt: Date,
  finishedAt: Date,
  deliveryStatus: DeliveryStatus,
  nextAttemptAt: Date | null,
): AttemptRecord {
  const answered = result.kind === 'response';
  return {
    sendId,
    claimToken: request.claimToken,
    deliveryId: request.deliveryId,
    tenantId: request.tenantId,
    endpointId: request.endpoint.id,
    eventId: request.eventId,
    attemptNumber: request.attempt,
    requestHeaders: headers,
    customHeaderNames: Object.keys(request.endpoint.headers),
    statusCode: answered ? result.status : null,
    responseHeaders: answered ? { ...result.headers } : null,
    responseBody: answered ? result.bodyExcerpt : null,
    durationMs: result.durationMs,
    errorClass:
      result.kind === 'error'
        ? result.errorClass
        : outcome.kind === 'delivered'
          ? null
          : `http_${result.status}`,
    errorMessage: outcome.kind === 'delivered' ? null : outcome.reason,
    startedAt,
    finishedAt,
    deliveryStatus,
    nextAttemptAt,
  };
}
