import type { ApiKeyAuthenticator, Authentication, TrustedProxies } from '@hookline/tenancy';
import { describeFailure } from '@hookline/observability';
import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiIntakeOperation } from './event-intake.decorators';
import { JSON_MEDIA_TYPES } from '../http/raw-body.parser';
import { type FieldProblem, decodeJson } from './ingest-body.reader';
import { type IngestEvents, type IngestOutcome } from './ingest-events.usecase';
import { type ApiProblem, apiProblem, problemOf } from './ingest-problem';
import type { IngestMetrics, RequestOutcome } from './ingest.metrics';
import { API_KEY_AUTHENTICATOR, INGEST_EVENTS, INGEST_METRICS, TRUSTED_PROXIES } from './events.tokens';

/** What the endpoint answers. */
interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly outcome: RequestOutcome;
}

/** Headers the endpoint reads, once checked. */
type IntakeHeaders =
  | { readonly kind: 'read'; readonly idempotencyKey?: string; readonly requestId?: string }
  | { readonly kind: 'invalid'; readonly fields: readonly FieldProblem[] };

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
const REQUEST_ID = /^[\x21-\x7e]{1,255}$/;

/**
 * `POST /v1/events`: the HTTP adapter of event intake. Authenticates the tenant, decodes the body and
 * hands it to the use case; the answer is 202 only once Kafka has acknowledged every event.
 */
@Controller('v1/events')
export class EventsController {
  private readonly logger = new Logger('EventsController');

  constructor(
    @Inject(INGEST_EVENTS) private readonly ingest: IngestEvents,
    @Inject(API_KEY_AUTHENTICATOR) private readonly authenticator: ApiKeyAuthenticator,
    @Inject(INGEST_METRICS) private readonly metrics: IngestMetrics,
    @Inject(TRUSTED_PROXIES) private readonly proxies: TrustedProxies,
  ) {}

  /** Accepts one event or a batch. */
  @Post()
  @ApiIntakeOperation()
  async create(@Req() request: Request, @Res() response: Response): Promise<void> {
    const done = this.metrics.startRequest('http');
    const answer = await this.answer(request);
    for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
    response.status(answer.status).json(answer.body);
    done(answer.outcome);
  }

  private async answer(request: Request): Promise<HttpAnswer> {
    let authentication: Authentication;
    try {
      authentication = await this.authenticator.authenticate(request.headers.authorization, {
        address: this.proxies.clientAddress(request.socket.remoteAddress, request.get('x-forwarded-for')),
      });
    } catch (error) {
      this.logger.warn(`API key lookup failed: ${describeFailure(error)}`);
      return refused(
        apiProblem(
          503,
          'service_unavailable',
          'the database is unavailable; nothing was accepted, retry later',
        ),
      );
    }
    if (!authentication.ok) {
      if (authentication.reason === 'braked') return rateLimited(authentication.retryAfterSeconds);
      return {
        ...refused(unauthenticated(authentication.reason)),
        headers: { 'WWW-Authenticate': 'Bearer' },
      };
    }

    const mediaProblem = mediaTypeProblem(request);
    if (mediaProblem) return refused(mediaProblem);
    const decoded = decodeJson(Buffer.isBuffer(request.body) ? request.body : undefined);
    if (decoded.kind === 'malformed') {
      this.metrics.countEvents([undefined], 'invalid');
      return refused(apiProblem(400, 'malformed_json', decoded.message));
    }
    const headers = readIntakeHeaders(request);
    if (headers.kind === 'invalid')
      return refused(apiProblem(400, 'invalid_header', 'a request header is invalid', headers.fields));

    const outcome = await this.ingest.execute({
      tenantId: authentication.tenantId,
      body: decoded.value,
      idempotencyKey: headers.idempotencyKey,
      requestId: headers.requestId,
    });
    return this.answerFor(outcome);
  }

  private answerFor(outcome: IngestOutcome): HttpAnswer {
    if (outcome.kind === 'accepted') {
      return {
        status: 202,
        body: outcome.reply,
        headers: outcome.replayed ? { 'Idempotent-Replayed': 'true' } : undefined,
        outcome: 'accepted',
      };
    }
    if (outcome.kind === 'unavailable') {
      this.logger.warn(`events not accepted, ${outcome.dependency} unavailable: ${outcome.reason}`);
    }
    return refused(problemOf(outcome));
  }
}

function refused(problem: ApiProblem): HttpAnswer {
  return {
    status: problem.status,
    body: { error: problem.error },
    outcome: problem.status >= 500 ? 'unavailable' : 'rejected',
  };
}

function rateLimited(retryAfterSeconds: number): HttpAnswer {
  return {
    ...refused(
      apiProblem(
        429,
        'rate_limited',
        `too many failed authentications from this address or for this key; retry in ${retryAfterSeconds} s`,
      ),
    ),
    headers: { 'Retry-After': String(retryAfterSeconds) },
  };
}

function unauthenticated(reason: 'missing' | 'malformed' | 'invalid'): ApiProblem {
  switch (reason) {
    case 'missing':
      return apiProblem(
        401,
        'authentication_failed',
        'an API key is required: send Authorization: Bearer <key>',
      );
    case 'malformed':
      return apiProblem(401, 'authentication_failed', 'the Authorization header must be Bearer <key>');
    case 'invalid':
      return apiProblem(401, 'authentication_failed', 'the API key is invalid or revoked');
  }
}

function mediaTypeProblem(request: Request): ApiProblem | undefined {
  if (!request.is(JSON_MEDIA_TYPES)) {
    const given = request.headers['content-type'];
    return apiProblem(
      415,
      'unsupported_media_type',
      given
        ? `Content-Type must be application/json, got ${JSON.stringify(given.slice(0, 100))}`
        : 'Content-Type must be application/json',
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return apiProblem(
      415,
      'unsupported_media_type',
      `the body must be UTF-8, got charset ${JSON.stringify(charset.slice(0, 40))}`,
    );
  }
  return undefined;
}

function readIntakeHeaders(request: Request): IntakeHeaders {
  const fields: FieldProblem[] = [];
  const idempotencyKey = request.header('idempotency-key');
  const requestId = request.header('x-request-id');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    fields.push({ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' });
  }
  if (requestId !== undefined && !REQUEST_ID.test(requestId)) {
    fields.push({
      field: 'X-Request-Id',
      message: 'must be 1 to 255 printable ASCII characters without spaces',
    });
  }
  if (fields.length > 0) return { kind: 'invalid', fields };
  return { kind: 'read', idempotencyKey, requestId };
}
