import { type INestApplication, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { serveApiReference } from '@hookline/observability';
import { buildOpenApiDocument } from './openapi.document';

/** Holds the application the document is generated from; set once the application exists. */
@Injectable()
export class OpenApiSource {
  private app: INestApplication | undefined;

  /** Names the application to document. */
  attach(app: INestApplication): void {
    this.app = app;
  }

  /** The document, generated from the attached application. */
  document(): ReturnType<typeof buildOpenApiDocument> {
    if (!this.app) throw new Error('the OpenAPI document is requested before the application was attached');
    return buildOpenApiDocument(this.app);
  }
}

/**
 * Serves the API reference: Swagger UI at `/docs` and the OpenAPI document at `/docs/openapi.json`,
 * built from the real application on first request.
 */
@Module({ providers: [OpenApiSource], exports: [OpenApiSource] })
export class DocsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly source: OpenApiSource,
  ) {}

  onModuleInit(): void {
    serveApiReference(this.adapterHost, () => this.source.document(), 'Hookline subscription API');
  }
}
