import type { EndpointSnapshot } from '@hookline/events';
import { disableEndpoint, endpointSnapshot, type OpenedEndpointSnapshot } from '@hookline/persistence';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { EndpointView } from '../endpoints/endpoint-view';
import type { DispatcherMetrics } from './dispatcher.metrics';

/**
 * Disables an endpoint the dispatcher has given up on (it answered 410 Gone): in this process's view
 * at once, so no further attempt is made here, then through `disableEndpoint` (database, changelog
 * for every other dispatcher, `endpoint.disabled` operational event). Re-enabling is an API call.
 */
export class EndpointDisabler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly view: EndpointView,
    private readonly open: (snapshot: EndpointSnapshot) => OpenedEndpointSnapshot,
    private readonly metrics: DispatcherMetrics,
  ) {}

  /** Disables the endpoint unless it is already disabled or gone. */
  async disable(endpointId: string, reason: string): Promise<void> {
    const current = this.view.get(endpointId);
    if (current) this.view.upsert({ ...current, active: false, version: current.version });
    const outcome = await disableEndpoint(this.dataSource, this.producer, endpointId, reason);
    if (outcome.kind === 'disabled') {
      this.view.upsert(this.open(endpointSnapshot(outcome.endpoint)));
      // 410 Gone is the only answer the dispatcher disables an endpoint for.
      this.metrics.endpointsDisabled.inc({ reason: 'gone' });
    }
  }
}
