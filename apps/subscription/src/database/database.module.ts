import { type DynamicModule, Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createDataSource } from '@hookline/persistence';
import { DataSource } from 'typeorm';
import type { SubscriptionConfig } from '../config';

/** Closes the pool when the application shuts down, so a stopped service holds no connections. */
@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The service's Postgres connection pool, injectable as `DataSource`. The schema is migrated by the
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
        DataSourceCloser,
      ],
      exports: [DataSource],
    };
  }
}
