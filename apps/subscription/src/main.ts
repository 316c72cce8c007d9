import { Logger } from '@nestjs/common';
import {
  type BootstrapOptions,
  bootstrapService,
  type RunningService,
  runService,
} from '@hookline/observability';
import { DEVELOPMENT_KEY_WARNING } from '@hookline/sealing';
import { AppModule } from './app.module';
import { type SubscriptionConfig, loadConfig } from './config';
import { errorBody } from './errors/api-exception.filter';
import { OpenApiSource } from './docs/docs.module';
import { startGrpcAdminApi } from './grpc/grpc-admin.server';

/** The running subscription service: HTTP plus the gRPC admin API. */
export interface RunningSubscriptionService extends RunningService {
  /** The port the gRPC admin API actually bound (useful when configured with port 0). */
  readonly grpcPort: number;
}

/** Starts the subscription service from a validated configuration; tests run it in-process on port 0. */
export async function bootstrap(
  config: SubscriptionConfig,
  options?: BootstrapOptions,
): Promise<RunningSubscriptionService> {
  let grpcPort: number | undefined;
  const service = await bootstrapService(AppModule.forRoot(config), config, {
    ...options,
    errorBody,
    beforeListen: async (app) => {
      if (config.secretKeys.development) Logger.warn(DEVELOPMENT_KEY_WARNING, 'Bootstrap');
      const grpc = await startGrpcAdminApi(app, config.grpc);
      grpcPort = grpc.boundPort;
      Logger.log(
        `${config.service} gRPC admin API listening on ${grpc.describeAddress()} (${grpc.describeTransport()})`,
        'Bootstrap',
      );
    },
  });
  service.app.get(OpenApiSource).attach(service.app);
  if (grpcPort === undefined) throw new Error('the gRPC admin API was not started');
  return { ...service, grpcPort };
}

if (require.main === module) void runService(() => loadConfig(), bootstrap);
