import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndexConcurrently } from './concurrent-index';

/**
 * What the delivery path needs to send each attempt once and let retry chains converge:
 *
 * - Events are keyed by tenant and id: producers may choose ids, and one tenant's `evt_order_1` must
 *   never hide another's.
 * - A delivery row carries a claim (who is making its next attempt, for which message, until when),
 *   taken before a request is sent, so a second message for the same attempt (a replayed offset, a
 *   duplicated retry task, a republished event) is recognised instead of sent again.
 * - Every request actually sent is a row of its own: `send_id` identifies one send, so recording it
 *   twice changes nothing while a re-send of the same attempt number is visible in the log.
 *
 * Written for large, busy tables: indexes are built concurrently (so outside a transaction), new
 * columns are nullable without a default (no table rewrite), and the primary key of `events` swaps
 * to an index built beforehand, holding its lock only for the swap.
 */
export class DeliveryIntegrity1764200000000 implements MigrationInterface {
  name = 'DeliveryIntegrity1764200000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await buildIndexConcurrently(
      queryRunner,
      'pk_events_by_tenant',
      'CREATE UNIQUE INDEX',
      'events (tenant_id, id)',
    );
    await queryRunner.query(
      `ALTER TABLE events DROP CONSTRAINT pk_events,
         ADD CONSTRAINT pk_events PRIMARY KEY USING INDEX pk_events_by_tenant`,
    );

    await queryRunner.query(`
      ALTER TABLE deliveries
        ADD COLUMN IF NOT EXISTS claimed_by text,
        ADD COLUMN IF NOT EXISTS claim_token text,
        ADD COLUMN IF NOT EXISTS claimed_until timestamptz`);
    // A waiting delivery always says when its next attempt is due; the sweep that re-queues
    // deliveries whose task was lost looks only at those rows.
    await queryRunner.query(
      `UPDATE deliveries SET next_attempt_at = updated_at
       WHERE status IN ('pending', 'awaiting_retry') AND next_attempt_at IS NULL`,
    );
    await buildIndexConcurrently(
      queryRunner,
      'idx_deliveries_waiting_due',
      'CREATE INDEX',
      `deliveries (next_attempt_at) WHERE status IN ('pending', 'awaiting_retry')`,
    );

    // Attempts recorded before sends were named keep a null send id.
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD COLUMN IF NOT EXISTS send_id text`);
    await buildIndexConcurrently(
      queryRunner,
      'uq_delivery_attempts_send',
      'CREATE UNIQUE INDEX',
      'delivery_attempts (send_id)',
    );
    await buildIndexConcurrently(
      queryRunner,
      'idx_delivery_attempts_delivery_attempt',
      'CREATE INDEX',
      'delivery_attempts (delivery_id, attempt_number)',
    );
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS uq_delivery_attempts_delivery_attempt`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Re-sends of one attempt number cannot be kept under the old unique key: the first send stays.
    await queryRunner.query(
      `DELETE FROM delivery_attempts a USING delivery_attempts b
       WHERE a.delivery_id = b.delivery_id AND a.attempt_number = b.attempt_number AND a.id > b.id`,
    );
    await buildIndexConcurrently(
      queryRunner,
      'uq_delivery_attempts_delivery_attempt',
      'CREATE UNIQUE INDEX',
      'delivery_attempts (delivery_id, attempt_number)',
    );
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_delivery_attempts_delivery_attempt`);
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS uq_delivery_attempts_send`);
    await queryRunner.query(`ALTER TABLE delivery_attempts DROP COLUMN IF EXISTS send_id`);
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_deliveries_waiting_due`);
    await queryRunner.query(
      `ALTER TABLE deliveries DROP COLUMN IF EXISTS claimed_by, DROP COLUMN IF EXISTS claim_token,
         DROP COLUMN IF EXISTS claimed_until`,
    );
    // Refused, as it must be, while two tenants share an event id.
    await buildIndexConcurrently(queryRunner, 'pk_events_by_id', 'CREATE UNIQUE INDEX', 'events (id)');
    await queryRunner.query(
      `ALTER TABLE events DROP CONSTRAINT pk_events, ADD CONSTRAINT pk_events PRIMARY KEY USING INDEX pk_events_by_id`,
    );
  }
}
