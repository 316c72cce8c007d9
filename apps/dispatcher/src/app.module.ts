import { defaultProbes, ServiceRuntimeModule } from '@hookline/observability';
import { type DynamicModule, Module } from '@nestjs/common';
import type { DispatcherConfig } from './config';
import { DISPATCHER_CONFIG, DispatcherLifecycle } from './dispatcher.lifecycle';
import { DispatcherRuntime } from './dispatcher.runtime';

/** Root module of the dispatcher service: delivers events to endpoints, signed and with retries. */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: DispatcherConfig): DynamicModule {
    const runtime = new DispatcherRuntime(config);
    const viewProbe = { name: 'endpoint-view', check: () => runtime.checkViewReady() };
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(config, { probes: [...defaultProbes(config), viewProbe] })],
      providers: [
        { provide: DispatcherRuntime, useValue: runtime },
        { provide: DISPATCHER_CONFIG, useValue: config },
        DispatcherLifecycle,
      ],
    };
  }
}
