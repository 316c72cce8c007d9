import {
  type BootstrapOptions,
  bootstrapService,
  type RunningService,
  runService,
} from '@hookline/observability';
import { AppModule } from './app.module';
import { type IngestConfig, loadConfig } from './config';

/** Starts the ingest service from a validated configuration; tests run it in-process on port 0. */
export function bootstrap(config: IngestConfig, options?: BootstrapOptions): Promise<RunningService> {
  return bootstrapService(AppModule.forRoot(config), config, options);
}

if (require.main === module) void runService(() => loadConfig(), bootstrap);
