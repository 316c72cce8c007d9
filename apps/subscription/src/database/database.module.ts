import {
  type DynamicModule,
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createDataSource } from '@hookline/persistence';
import { ApiKeyUsageRecorder, createApiKeyUsageRecorder } from '@hookline/tenancy';
import { DataSource } from 'typeorm';
import type { SubscriptionConfig } from '../config';

/**
 * Starts the periodic `last_used_at` writes, and on shutdown writes what they hold, then closes the
 * pool, so a stopped service holds no connections and loses no key use.
 */
@Injectable()
class DataSourceCloser implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyUsage: ApiKeyUsageRecorder,
  ) {}

  onApplicationBootstrap(): void {
    this.keyUsage.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    await this.keyUsage.stop();
    await this.dataSource.destroy();
  }
}

/**
 * The service's Postgres connection pool, injectable as `DataSource`, and the batched writer of API
 * keys' `last_used_at` (`ApiKeyUsageRecorder`), which must finish before the pool closes. The schema is migrated by the
 * migrate command, never at boot: several instances starting at once must not race on it.
 */
@Global()
@Module({})
export class DatabaseModule {
  /** Connects to the configured database. */
  static forRoot(config: SubscriptionConfig): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createDataSource(config.database);
            await dataSource.initialize();
            return dataSource;
          },
        },
        {
          provide: ApiKeyUsageRecorder,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => {
            const logger = new Logger('ApiKeyUsage');
            return createApiKeyUsageRecorder(dataSource, config.auth, (message) => logger.warn(message));
          },
        },
        DataSourceCloser,
      ],
      exports: [DataSource, ApiKeyUsageRecorder],
    };
  }
}
