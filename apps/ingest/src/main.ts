import {
  type BootstrapOptions,
  bootstrapService,
  type RunningService,
  runService,
} from '@hookline/observability';
import { AppModule } from './app.module';
import { type IngestConfig, loadConfig } from './config';
import { OpenApiSource } from './docs/docs.module';
import { errorBody } from './http/api-error.filter';

/** Starts the ingest service from a validated configuration; tests run it in-process on port 0. */
export async function bootstrap(config: IngestConfig, options?: BootstrapOptions): Promise<RunningService> {
  const service = await bootstrapService(AppModule.forRoot(config), config, { ...options, errorBody });
  service.app.get(OpenApiSource).attach(service.app);
  return service;
}

if (require.main === module) void runService(() => loadConfig(), bootstrap);
