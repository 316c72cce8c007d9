import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EndpointEntity, endpointSnapshot as toEndpointSnapshot } from '@hookline/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { UnavailableError } from '../errors/domain.errors';
import { PublishFailedError } from '../kafka/kafka.publisher';
import { EndpointChangelogWriter } from './endpoint-changelog.writer';

/** What a change did to its endpoint, and so what the changelog must say. */
export type EndpointChange =
  | { readonly kind: 'upserted'; readonly endpoint: EndpointEntity }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'unchanged' };

/** The outcome of the work inside a change: the caller's result and the change to publish. */
export interface EndpointChangeOutcome<T> {
  readonly result: T;
  readonly change: EndpointChange;
}

// Endpoints published per transaction by `republishAll`; each page holds its rows locked meanwhile.
const REPUBLISH_PAGE_SIZE = 200;

/**
 * Runs endpoint changes so that the database and the subscription changelog agree: the changelog
 * record is written inside the database transaction, before commit, while the endpoint's row is
 * locked. If Kafka refuses, the transaction rolls back and the caller gets `UnavailableError` (503).
 * Row locks order concurrent changes of one endpoint, so its records reach the changelog in the order
 * their versions increase.
 *
 * A write that failed on this side may still have reached Kafka (a lost acknowledgement), leaving a
 * record the database does not hold. So after any failure past the write, the endpoint is repaired in
 * the background: its version is raised past the failed one and its real state (or a tombstone when
 * it does not exist) is written again. Consumers keep the highest version, so the real state wins.
 * If Kafka is still down, the repair waits for the next change or the next republish at boot.
 */
@Injectable()
export class EndpointChangeRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('EndpointChangeRunner');
  private readonly repairs = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly changelog: EndpointChangelogWriter,
  ) {}

  /**
   * Runs `work` in a transaction and publishes the change it reports before committing. `work` must
   * lock the endpoint's row (`lockEndpoint`) before reading it.
   */
  async run<T>(
    endpointId: string,
    work: (manager: EntityManager) => Promise<EndpointChangeOutcome<T>>,
  ): Promise<T> {
    let attemptedVersion: number | undefined;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const { result, change } = await work(manager);
        if (change.kind === 'unchanged') return result;
        attemptedVersion = change.kind === 'upserted' ? change.endpoint.version : 0;
        const snapshot = change.kind === 'upserted' ? toEndpointSnapshot(change.endpoint, new Date()) : null;
        await this.changelog.write([{ endpointId, snapshot }]);
        return result;
      });
    } catch (error) {
      if (attemptedVersion !== undefined) this.repairLater(endpointId, attemptedVersion);
      if (error instanceof PublishFailedError) {
        throw new UnavailableError(
          'The change could not be published; nothing was changed. Try again shortly.',
        );
      }
      throw error;
    }
  }

  /**
   * Publishes every endpoint's current state again, in id order, and returns how many were written.
   * Idempotent: consumers keep the highest version, and republishing writes the same versions.
   */
  async republishAll(): Promise<number> {
    try {
      return await this.republishPages();
    } catch (error) {
      if (error instanceof PublishFailedError) {
        throw new UnavailableError(
          'Kafka did not accept the changelog records; run the republish again later.',
        );
      }
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.repairs]);
  }

  private async republishPages(): Promise<number> {
    let after = '';
    let total = 0;
    for (;;) {
      const page = await this.dataSource.transaction(async (manager) => {
        const endpoints = await manager
          .getRepository(EndpointEntity)
          .createQueryBuilder('endpoint')
          .where('endpoint.id > :after', { after })
          .orderBy('endpoint.id', 'ASC')
          .limit(REPUBLISH_PAGE_SIZE)
          .setLock('pessimistic_write')
          .getMany();
        const now = new Date();
        await this.changelog.write(
          endpoints.map((endpoint) => ({
            endpointId: endpoint.id,
            snapshot: toEndpointSnapshot(endpoint, now),
          })),
        );
        return endpoints;
      });
      total += page.length;
      if (page.length < REPUBLISH_PAGE_SIZE) return total;
      after = page[page.length - 1].id;
    }
  }

  private repairLater(endpointId: string, failedVersion: number): void {
    const repair = this.repair(endpointId, failedVersion)
      .catch((error: unknown) => {
        this.logger.warn(
          `endpoint ${endpointId} could not be republished after a failed change (${(error as Error).message}); ` +
            'the next change or republish will correct the changelog',
        );
      })
      .finally(() => this.repairs.delete(repair));
    this.repairs.add(repair);
  }

  private async repair(endpointId: string, failedVersion: number): Promise<void> {
    // Committed on its own, so even if Kafka stays down every later record outranks the failed one.
    await this.dataSource.query('UPDATE endpoints SET version = GREATEST(version, $2) + 1 WHERE id = $1', [
      endpointId,
      failedVersion,
    ]);
    await this.dataSource.transaction(async (manager) => {
      const endpoint = await lockEndpoint(manager, endpointId);
      const snapshot = endpoint ? toEndpointSnapshot(endpoint, new Date()) : null;
      await this.changelog.write([{ endpointId, snapshot }]);
    });
  }
}

/** Reads an endpoint and locks its row until the transaction ends; `tenantId` scopes the lookup. */
export function lockEndpoint(
  manager: EntityManager,
  endpointId: string,
  tenantId?: string,
): Promise<EndpointEntity | null> {
  return manager.getRepository(EndpointEntity).findOne({
    where: tenantId === undefined ? { id: endpointId } : { id: endpointId, tenantId },
    lock: { mode: 'pessimistic_write' },
  });
}
