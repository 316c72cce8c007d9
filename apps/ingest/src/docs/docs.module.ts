import {
  type DynamicModule,
  Inject,
  type INestApplication,
  Injectable,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { IngestConfig } from '../config';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_JSON_PATH } from './openapi.document';

const INGEST_DOCS_CONFIG = Symbol('hookline.ingest.docs-config');

/** Holds the application the document is generated from; set once the application exists. */
@Injectable()
export class OpenApiSource {
  private app: INestApplication | undefined;

  constructor(@Inject(INGEST_DOCS_CONFIG) private readonly config: IngestConfig) {}

  /** Names the application to document. */
  attach(app: INestApplication): void {
    this.app = app;
  }

  /** The document, generated from the attached application. */
  document(): ReturnType<typeof buildOpenApiDocument> {
    if (!this.app) throw new Error('the OpenAPI document is requested before the application was attached');
    return buildOpenApiDocument(this.app, this.config);
  }
}

/**
 * Serves the API reference: Swagger UI at `/docs` and the OpenAPI document at `/docs/openapi.json`.
 *
 * The routes are registered while modules initialise, because routes added to the HTTP server after
 * start-up would sit behind the framework's catch-all 404 handler. The application object does not
 * exist yet at that point, so Swagger is handed the HTTP adapter directly (the two members it uses),
 * and the document is built from the real application on first request.
 */
@Module({})
export class DocsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly source: OpenApiSource,
  ) {}

  /** The module for one configuration. */
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: DocsModule,
      providers: [OpenApiSource, { provide: INGEST_DOCS_CONFIG, useValue: config }],
      exports: [OpenApiSource],
    };
  }

  onModuleInit(): void {
    const httpAdapter = this.adapterHost.httpAdapter;
    const host = {
      getHttpAdapter: () => httpAdapter,
      useStaticAssets: (path: string, options: unknown) =>
        (httpAdapter as unknown as { useStaticAssets(path: string, options: unknown): void }).useStaticAssets(
          path,
          options,
        ),
    } as unknown as INestApplication;
    SwaggerModule.setup(DOCS_PATH, host, () => this.source.document(), {
      jsonDocumentUrl: OPENAPI_JSON_PATH,
      raw: ['json'],
      customSiteTitle: 'Hookline ingest API',
    });
  }
}
