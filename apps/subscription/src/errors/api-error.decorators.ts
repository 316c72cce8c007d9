import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (e.g. invalid JSON).',
  401: 'Missing, malformed, invalid or revoked credentials.',
  403: 'A read-only customer portal session may not do this.',
  404: 'No such resource for this caller (also for another tenant\u2019s resources).',
  409: 'The resource is in a state that does not allow this.',
  422: 'Invalid input; `fields` names every bad field.',
  503: 'Kafka did not accept the change; nothing was changed. Retry later.',
};

/**
 * Documents the error answers an operation can give, all with the `ErrorBodyDto` body. An operation
 * that can answer 401 can also answer 429: failed authentications are braked.
 */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBodyDto }),
    ),
    ...(statuses.includes(401) ? [RATE_LIMITED_RESPONSE] : []),
  );
}

const RATE_LIMITED_RESPONSE = ApiResponse({
  status: 429,
  description:
    '`rate_limited`: too many failed authentications from this client address or for this API key prefix ' +
    '(`AUTH_BRAKE_FAILURES` per `AUTH_BRAKE_WINDOW`); the credentials were not checked. Retry after ' +
    '`Retry-After` seconds.',
  type: ErrorBodyDto,
  headers: {
    'Retry-After': {
      description: 'Seconds until the client may authenticate again.',
      schema: { type: 'integer', minimum: 1 },
    },
  },
});
