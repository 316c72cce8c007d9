import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  AcceptedBatchDto,
  AcceptedEventDto,
  IngestErrorBodyDto,
  IngestEventBatchDto,
  IngestEventDto,
} from './event-intake.dto';

/** Name of the schema of a batch in its array form; its `maxItems` is the deployment's batch limit. */
export const EVENT_LIST_SCHEMA = 'IngestEventList';

const ERRORS: Record<number, string> = {
  400: '`malformed_json` (empty body, invalid UTF-8 or JSON) or `invalid_header`.',
  401: '`authentication_failed`: the API key is missing, malformed, unknown or revoked.',
  409: '`idempotency_key_reused` (the key was first used for a different request) or `idempotency_key_in_use` (a request with the key is still running).',
  413: '`payload_too_large` (body over `INGEST_MAX_BODY_BYTES`) or `batch_too_large` (more events than `INGEST_MAX_BATCH`).',
  415: '`unsupported_media_type`: not JSON, or a charset other than UTF-8.',
  422: '`validation_failed`: unknown type, schema violation, an id or key used twice in one batch; `fields` names each problem.',
  503: '`service_unavailable`: Kafka or Postgres is unavailable; nothing was accepted, retry later.',
};

const PRINTABLE_ASCII = '^[\\x20-\\x7e]{1,255}$';

/** Documents `POST /v1/events`: its three body forms, its headers and every answer. */
export function ApiIntakeOperation(): MethodDecorator {
  return applyDecorators(
    ApiTags('events'),
    ApiBearerAuth('api-key'),
    ApiExtraModels(IngestEventDto, IngestEventBatchDto, AcceptedEventDto, AcceptedBatchDto),
    ApiOperation({
      summary: 'Send one event or a batch',
      description:
        'The body is one event, a JSON array of events, or `{ "events": [...] }`. A batch is accepted all or ' +
        'none. The answer is `202` only once Kafka has acknowledged every event: `AcceptedEvent` for one ' +
        'event, `AcceptedBatch` (ids in request order) for a batch.',
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes the request safe to repeat: for `INGEST_IDEMPOTENCY_TTL` (24 hours) the same key answers with the ' +
        'original `202` body and publishes nothing; the same key with a different body is a `409`.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: PRINTABLE_ASCII },
    }),
    ApiHeader({
      name: 'X-Request-Id',
      required: false,
      description: '`request.id` of events that carry none.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
    }),
    ApiBody({
      required: true,
      schema: {
        oneOf: [
          { $ref: getSchemaPath(IngestEventDto) },
          { $ref: `#/components/schemas/${EVENT_LIST_SCHEMA}` },
          { $ref: getSchemaPath(IngestEventBatchDto) },
        ],
      },
    }),
    ApiAcceptedResponse({
      description: 'Every event is on Kafka.',
      schema: {
        oneOf: [{ $ref: getSchemaPath(AcceptedEventDto) }, { $ref: getSchemaPath(AcceptedBatchDto) }],
      },
      headers: {
        'Idempotent-Replayed': {
          description: '`true` when the answer repeats the one to an earlier request with the same key.',
          schema: { type: 'string', enum: ['true'] },
        },
      },
    }),
    ...Object.entries(ERRORS).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: IngestErrorBodyDto }),
    ),
    ApiResponse({
      status: 429,
      description:
        '`rate_limited`: too many failed authentications from this client address or for this key prefix ' +
        '(`AUTH_BRAKE_FAILURES` per `AUTH_BRAKE_WINDOW`); nothing was read. Retry after `Retry-After` seconds.',
      type: IngestErrorBodyDto,
      headers: {
        'Retry-After': {
          description: 'Seconds until the client may authenticate again.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
    }),
  );
}
