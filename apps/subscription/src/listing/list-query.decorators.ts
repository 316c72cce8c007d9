import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './list-input';

/** Documents `limit` and `starting_after`. */
export function ApiPagingQuery(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT },
    }),
    ApiQuery({
      name: 'starting_after',
      required: false,
      schema: { type: 'string' },
      description: 'Id of the last item of the previous page; the page continues after it (older items).',
    }),
  );
}

/** Documents `created[gte]` and `created[lte]`. */
export function ApiCreatedRangeQuery(): MethodDecorator {
  const description = 'ISO 8601 (`2024-01-01T00:00:00Z`, `2024-01-01`) or unix seconds.';
  return applyDecorators(
    ApiQuery({
      name: 'created[gte]',
      required: false,
      schema: { type: 'string' },
      description: `Created at or after. ${description}`,
    }),
    ApiQuery({
      name: 'created[lte]',
      required: false,
      schema: { type: 'string' },
      description: `Created at or before. ${description}`,
    }),
  );
}
