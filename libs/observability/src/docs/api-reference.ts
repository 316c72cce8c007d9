import type { INestApplication } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** Where every service serves its API reference: Swagger UI, and the document as JSON. */
export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/**
 * Serves a service's API reference: Swagger UI at `/docs` and the OpenAPI document at
 * `/docs/openapi.json`. Call it while modules initialise: routes added to the HTTP server after
 * start-up would sit behind the framework's catch-all 404 handler. The application object does not
 * exist yet at that point, so Swagger is handed the HTTP adapter directly (the two members it uses),
 * and `document` is called (from the real application) on first request.
 */
export function serveApiReference(
  adapterHost: HttpAdapterHost,
  document: () => OpenAPIObject,
  title: string,
): void {
  const httpAdapter = adapterHost.httpAdapter;
  const host = {
    getHttpAdapter: () => httpAdapter,
    useStaticAssets: (path: string, options: unknown) =>
      (httpAdapter as unknown as { useStaticAssets(path: string, options: unknown): void }).useStaticAssets(
        path,
        options,
      ),
  } as unknown as INestApplication;
  SwaggerModule.setup(DOCS_PATH, host, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: title,
  });
}
