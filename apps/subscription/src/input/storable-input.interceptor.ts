import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { DEFAULT_TEXT_PROBLEM_LIMIT, findUnstorableText, type TextProblem } from '@hookline/events';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { ValidationError } from '../errors/domain.errors';

/**
 * Refuses a REST request whose path parameters, query or JSON body hold text PostgreSQL cannot store
 * (U+0000, unpaired surrogates), before any use case runs: a `ValidationError` (422) naming each
 * field. `%00` in a path or a query decodes to a NUL, and `\u0000` or `\ud800` escapes in a body
 * decode to such strings; without this they reach a query and fail it with a 500.
 *
 * Registered once for every route. It runs after the guards, so a caller without a valid key still
 * hears 401 first.
 */
@Injectable()
export class StorableInputInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const problems = unstorableRequestText(context.switchToHttp().getRequest<Request>());
      if (problems.length > 0) throw new ValidationError(problems);
    }
    return next.handle();
  }
}

/**
 * Every string of a request that cannot be stored, at most `DEFAULT_TEXT_PROBLEM_LIMIT`: path
 * parameters and query parameters by their names (`id`, `starting_after`, `created[gte]`), body
 * fields by their paths (`metadata.region`).
 */
export function unstorableRequestText(request: Pick<Request, 'params' | 'query' | 'body'>): TextProblem[] {
  const problems: TextProblem[] = [];
  for (const part of [request.params, request.query, request.body]) {
    const limit = DEFAULT_TEXT_PROBLEM_LIMIT - problems.length;
    if (limit === 0) break;
    problems.push(...findUnstorableText(part, { limit }));
  }
  return problems;
}
