import {
  type BootstrapOptions,
  bootstrapService,
  type RunningService,
  runService,
} from '@hookline/observability';
import { AppModule } from './app.module';
import { type DispatcherConfig, loadConfig } from './config';

/** Starts the dispatcher service from a validated configuration; tests run it in-process on port 0. */
export function bootstrap(config: DispatcherConfig, options?: BootstrapOptions): Promise<RunningService> {
  return bootstrapService(AppModule.forRoot(config), config, options);
}

if (require.main === module) void runService(() => loadConfig(), bootstrap);
