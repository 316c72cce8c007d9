import type { EndpointSnapshot } from '@hookline/events';
import type { AttemptRecord, AttemptRecorder, DeliveryStatus } from '@hookline/persistence';
import { nextRetry, type Preset, retryTiers } from '@hookline/presets';
import type { SendResult, Sender } from '../delivery/http-sender';
import { type AttemptOutcome, classifyAttempt } from '../delivery/response-classifier';
import { buildDeliveryHeaders } from './delivery-headers';
import { type AttemptMetricOutcome, type DispatcherMetrics, statusClass } from './dispatcher.metrics';
import type { EndpointDisabler } from './endpoint-disabler';
import type { EndpointGates } from './endpoint-gates';
import type { RetryHandoff } from './retry-handoff';

/** One attempt to make: which delivery, to which endpoint, with which bytes. */
export interface AttemptRequest {
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly eventId: string;
  readonly eventType: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly endpoint: EndpointSnapshot;
  /** The exact bytes to send and sign. */
  readonly body: Buffer;
  /** When ingest accepted the event, for the end-to-end latency metric. */
  readonly acceptedAt?: number;
}

/** Where the delivery stands after this attempt; every case is durable when returned. */
export type AttemptSettlement = 'delivered' | 'failed' | 'retry-scheduled' | 'deferred';

/** Settings the use case needs beyond the preset. */
export interface DeliverAttemptSettings {
  readonly maxRetryAfterMs: number;
  readonly deferDelayMs: number;
}

// Failures that say the endpoint is unwell; 4xx answers mean it is up and answering.
function countsAgainstBreaker(result: SendResult): boolean {
  if (result.kind === 'error')
    return !['blocked-address', 'http-not-allowed', 'invalid-url'].includes(result.errorClass);
  return result.status >= 500 || result.status === 408 || result.status === 429;
}

/**
 * Makes one delivery attempt: signs the bytes, passes the endpoint's gate (concurrency limit and
 * circuit breaker), sends, classifies the answer, and settles the delivery — recorded, and handed
 * to the retry path or the dead-letter topic when it did not succeed.
 */
export class DeliverAttempt {
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
  ) {
    // Deferred attempts wait on an existing tier: the shortest at least the configured delay.
    const tiers = retryTiers(preset.retry);
    this.deferTierMs =
      tiers.find((t) => t >= settings.deferDelayMs) ?? tiers[tiers.length - 1] ?? settings.deferDelayMs;
  }

  private readonly deferTierMs: number;

  // Attempts this process already settled. A message whose handling failed part way (say a
  // database hiccup after some of its deliveries went out) is handled again; without this its
  // delivered attempts would be sent a second time.
  private readonly settled = new Map<string, AttemptSettlement>();

  /** Makes the attempt; resolves once its outcome is durable. */
  async execute(request: AttemptRequest): Promise<AttemptSettlement> {
    const key = `${request.deliveryId}#${request.attempt}`;
    const known = this.settled.get(key);
    if (known !== undefined && known !== 'deferred') return known;
    const settlement = await this.attempt(request);
    if (this.settled.size >= 100_000) this.settled.clear();
    this.settled.set(key, settlement);
    return settlement;
  }

  private async attempt(request: AttemptRequest): Promise<AttemptSettlement> {
    const { endpoint } = request;
    const ref = { ...request, endpointId: endpoint.id };
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
    if (gated.kind !== 'ran') {
      // Not an attempt: the endpoint was not called, so the same attempt number is tried later.
      const reason =
        gated.kind === 'circuit-open' ? 'circuit breaker open' : 'endpoint has too many requests waiting';
      await this.retries.schedule(ref, request.attempt, this.deferTierMs, this.deferTierMs, reason);
      this.count('deferred', null);
      return 'deferred';
    }
    const result = gated.value;
    const finishedAt = new Date();
    const outcome = classifyAttempt(
      result,
      { retryNon2xx: this.preset.retry.retryNon2xx, maxRetryAfterMs: this.settings.maxRetryAfterMs },
      finishedAt.getTime(),
    );
    const status = result.kind === 'response' ? result.status : null;
    this.metrics.attemptDuration.observe({ status_class: statusClass(status) }, result.durationMs / 1000);
    const record = (deliveryStatus: DeliveryStatus, nextAttemptAt: Date | null) =>
      this.recorder.record(
        attemptRecord(
          request,
          headers,
          result,
          outcome,
          startedAt,
          finishedAt,
          deliveryStatus,
          nextAttemptAt,
        ),
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
        if (outcome.disableEndpoint) await this.disabler.disable(endpoint.id, `${outcome.reason}`);
        this.count('failed', status);
        return 'failed';
      case 'retryable': {
        const decision = nextRetry(this.preset.retry, request.attempt, {
          ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
        });
        if (decision.kind === 'give-up') {
          await record('failed', null);
          await this.retries.exhausted(ref, outcome.reason);
          this.count('failed', status);
          return 'failed';
        }
        // Recorded before the retry is parked: if parking fails the message is handled again and
        // re-recording the attempt changes nothing, whereas a retry parked for an attempt whose
        // recording failed would run alongside the one parked when the message is handled again.
        await record('awaiting_retry', new Date(finishedAt.getTime() + decision.delayMs));
        await this.retries.schedule(
          ref,
          decision.attempt,
          decision.delayMs,
          decision.tierDelayMs,
          outcome.reason,
        );
        this.count('retry', status);
        return 'retry-scheduled';
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

function attemptRecord(
  request: AttemptRequest,
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
    deliveryId: request.deliveryId,
    tenantId: request.tenantId,
    endpointId: request.endpoint.id,
    eventId: request.eventId,
    attemptNumber: request.attempt,
    requestHeaders: headers,
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
