import { describeFailure } from '@hookline/observability';
import type { DataSource } from 'typeorm';

/** How marking a held claim done ended. */
export type FinishOutcome =
  | { readonly kind: 'done' }
  /** Some keys were taken over after the lease lapsed; their new owner publishes the same ids again. */
  | { readonly kind: 'lost'; readonly keys: number }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Keys committed as `publishing` under one owner. The lease is renewed while the events are
 * published; afterwards the keys are marked done, or given back when the publish failed.
 */
export class HeldClaim {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenantId: string,
    private readonly owner: string,
    /** Keys this request created: nobody published their ids before. */
    private readonly fresh: readonly string[],
    /** Keys whose earlier owner died: their ids may be on Kafka already. */
    private readonly takenOver: readonly string[],
    private readonly leaseMs: number,
  ) {}

  /** Runs `publish` while renewing the lease, so no other request takes the claim over meanwhile. */
  async whilePublishing<R>(publish: () => Promise<R>): Promise<R> {
    let renewing: Promise<void> | undefined;
    const timer = setInterval(
      () => {
        renewing ??= this.renew().finally(() => {
          renewing = undefined;
        });
      },
      Math.max(this.leaseMs / 3, 10),
    );
    try {
      return await publish();
    } finally {
      clearInterval(timer);
      await renewing;
    }
  }

  /** Marks the keys done: from now on they answer with their stored reply. */
  async finish(): Promise<FinishOutcome> {
    try {
      const [, updated]: [unknown[], number] = await this.dataSource.query(
        `UPDATE idempotency_keys SET state = 'done', owner = NULL, lease_expires_at = NULL
         WHERE tenant_id = $1 AND key = ANY($2::text[]) AND owner = $3`,
        [this.tenantId, this.keys(), this.owner],
      );
      const lost = this.keys().length - updated;
      return lost === 0 ? { kind: 'done' } : { kind: 'lost', keys: lost };
    } catch (error) {
      return { kind: 'failed', reason: describeFailure(error) };
    }
  }

  /**
   * Gives the keys back after a failed publish. When nothing was written, keys this request created
   * are deleted, so a retry starts afresh. Every other key keeps its ids and has its lease ended, so
   * the next request with it takes it over at once and publishes those same ids: records written
   * without an acknowledgement, or by an earlier owner, must not reappear under new ones.
   */
  async release(written: 'no' | 'unknown'): Promise<void> {
    const deleted = written === 'no' ? this.fresh : [];
    const kept = written === 'no' ? this.takenOver : this.keys();
    // Best effort: a claim left behind lapses with its lease, which has the same effect a little later.
    await this.dataSource
      .query(
        `WITH gone AS (
           DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = ANY($2::text[]) AND owner = $4
         )
         UPDATE idempotency_keys SET lease_expires_at = now()
         WHERE tenant_id = $1 AND key = ANY($3::text[]) AND owner = $4`,
        [this.tenantId, deleted, kept, this.owner],
      )
      .catch(() => undefined);
  }

  private keys(): string[] {
    return [...this.fresh, ...this.takenOver];
  }

  // A renewal that fails is not retried: a lapsed lease lets a repeat publish the same ids again,
  // a duplicate receivers can discard, never a divergent one.
  private async renew(): Promise<void> {
    await this.dataSource
      .query(
        `UPDATE idempotency_keys SET lease_expires_at = now() + $4 * interval '1 millisecond'
         WHERE tenant_id = $1 AND key = ANY($2::text[]) AND owner = $3 AND state = 'publishing'`,
        [this.tenantId, this.keys(), this.owner, this.leaseMs],
      )
      .catch(() => undefined);
  }
}
