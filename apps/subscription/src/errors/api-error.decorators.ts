import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (e.g. invalid JSON).',
  401: 'Missing, malformed, invalid or revoked credentials.',
  404: 'No such resource for this caller (also for another tenant\u2019s resources).',
  409: 'The resource is in a state that does not allow this.',
  422: 'Invalid input; `fields` names every bad field.',
  503: 'Kafka did not accept the change; nothing was changed. Retry later.',
};

/** Documents the error answers an operation can give, all with the `ErrorBodyDto` body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBodyDto }),
    ),
  );
}
