import { pipeline } from 'node:stream/promises';
import { Controller, Get, Head, Inject, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { request as send } from 'undici';
import { describeFailure } from '@hookline/observability';
import { EVENT_LOG_UPSTREAM } from './events.tokens';
import { apiProblem, type ApiProblem } from './ingest-problem';

// What is passed on each way; nothing hop-by-hop, nothing the upstream does not need.
const REQUEST_HEADERS = ['authorization', 'accept', 'user-agent', 'x-request-id'];
const ANSWER_HEADERS = [
  'content-type',
  'content-length',
  'cache-control',
  'link',
  'retry-after',
  'www-authenticate',
  'x-request-id',
];
const TIMEOUT_MS = 30_000;

/**
 * `GET /v1/events` on ingest. The event log is the subscription API's; a front door that routes by
 * path only (a Kubernetes Ingress) sends every `/v1/events` request here. With
 * `INGEST_EVENT_LOG_UPSTREAM` set, the request is forwarded there as it came (path, query,
 * credentials) and its answer streamed back; otherwise it is answered 405 with `Allow: POST`.
 */
@ApiExcludeController()
@Controller('v1/events')
export class EventLogForwarder {
  private readonly logger = new Logger('EventLogForwarder');

  constructor(@Inject(EVENT_LOG_UPSTREAM) private readonly upstream: string | undefined) {}

  @Get()
  @Head()
  async forward(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (this.upstream === undefined) {
      response.setHeader('Allow', 'POST');
      return answer(
        response,
        apiProblem(
          405,
          'method_not_allowed',
          'ingest accepts POST /v1/events; the event log (GET /v1/events) is served by the subscription API',
        ),
      );
    }
    const target = new URL(request.originalUrl, this.upstream);
    const headers: Record<string, string> = {
      'x-forwarded-for': forwardedFor(request),
      'x-forwarded-proto': request.protocol,
    };
    for (const name of REQUEST_HEADERS) {
      const value = request.get(name);
      if (value !== undefined) headers[name] = value;
    }
    const host = request.get('x-forwarded-host') ?? request.get('host');
    if (host !== undefined) headers['x-forwarded-host'] = host;
    try {
      const upstream = await send(target, {
        method: request.method === 'HEAD' ? 'HEAD' : 'GET',
        headers,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
        signal: abortedWith(response),
      });
      response.status(upstream.statusCode);
      for (const name of ANSWER_HEADERS) {
        const value = upstream.headers[name];
        if (value !== undefined) response.setHeader(name, value);
      }
      await pipeline(upstream.body, response);
    } catch (error) {
      // Once the answer has begun, the pipeline has already closed the response.
      if (response.headersSent) return;
      this.logger.warn(`event log request not forwarded to the subscription API: ${describeFailure(error)}`);
      answer(
        response,
        apiProblem(502, 'bad_gateway', 'the subscription API, which serves the event log, did not answer'),
      );
    }
  }
}

function answer(response: Response, problem: ApiProblem): void {
  response.status(problem.status).json({ error: problem.error });
}

/** The incoming chain with the peer that sent this request appended, as a proxy does. */
function forwardedFor(request: Request): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  const chain = request.get('x-forwarded-for');
  return chain ? `${chain}, ${peer}` : peer;
}

/** Aborts the upstream request when the client goes away before its answer is written. */
function abortedWith(response: Response): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
