import { encodeEndpointChange, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { isSealed, SealedValueError, type SecretSealer } from '@hookline/sealing';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EndpointEntity } from '../entities/endpoint.entity';
import { endpointSnapshot } from './endpoint-snapshot';
import { endpointSecretsCurrent, openEndpointSecrets, sealEndpointSecrets } from './endpoint-secrets';

/**
 * What the seal command does to sealed values: `seal` seals plaintext values only and leaves values
 * of older keys as they are; `rotate` also re-seals every value not sealed with the active key.
 */
export type ResealMode = 'seal' | 'rotate';

/** Counts of one run of the seal command. */
export interface ResealCounts {
  /** Endpoints read. */
  scanned: number;
  /** Endpoints that held a plaintext value, now sealed. */
  sealed: number;
  /** Endpoints whose values were re-sealed with the active key (`rotate`). */
  resealed: number;
  /** Endpoints left as they were. */
  unchanged: number;
  /** Endpoints whose values do not open (an unknown key, or altered); left as they were. */
  failed: number;
  /** Changelog records written: every endpoint's current state, once. */
  republished: number;
}

/** How the seal command runs. */
export interface ResealOptions {
  readonly mode: ResealMode;
  /** Endpoints per transaction (and per changelog batch); default 200. */
  readonly batchSize?: number;
  /** Told after each batch, with the totals so far. */
  readonly onBatch?: (counts: Readonly<ResealCounts>) => void;
  /** Told of each endpoint that failed, with the reason (never a value). */
  readonly onFailure?: (endpointId: string, reason: string) => void;
}

/**
 * Seals what is still plaintext in the `endpoints` table (and, for `rotate`, re-seals what an older
 * key sealed), in id order and batches, each batch in one transaction holding its rows locked, and
 * writes every endpoint's state to the subscription changelog before that transaction commits, so
 * the changelog's latest record of each endpoint holds only current sealed values. Versions are not
 * raised: the records say what the endpoint already was, and consumers keep the same version's
 * newest record. Idempotent: a second run changes nothing and republishes the same state.
 */
export async function resealEndpointSecrets(
  dataSource: DataSource,
  producer: Pick<Producer, 'sendBatch'>,
  sealer: SecretSealer,
  options: ResealOptions,
): Promise<ResealCounts> {
  const batchSize = options.batchSize ?? 200;
  const counts: ResealCounts = {
    scanned: 0,
    sealed: 0,
    resealed: 0,
    unchanged: 0,
    failed: 0,
    republished: 0,
  };
  let after = '';
  for (;;) {
    const batch = await dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(EndpointEntity);
      const rows = await repository
        .createQueryBuilder('endpoint')
        .where('endpoint.id > :after', { after })
        .orderBy('endpoint.id', 'ASC')
        .limit(batchSize)
        .setLock('pessimistic_write')
        .getMany();
      const delta: ResealCounts = {
        scanned: rows.length,
        sealed: 0,
        resealed: 0,
        unchanged: 0,
        failed: 0,
        republished: 0,
      };
      for (const row of rows) {
        const outcome = reseal(sealer, row, options.mode);
        if (outcome.kind === 'failed') options.onFailure?.(row.id, outcome.reason);
        delta[outcome.kind] += 1;
        if (outcome.kind === 'sealed' || outcome.kind === 'resealed') {
          Object.assign(row, outcome.values);
          await manager.query(
            'UPDATE endpoints SET secret = $2, previous_secret = $3, headers = $4::jsonb WHERE id = $1',
            [row.id, row.secret, row.previousSecret, JSON.stringify(row.headers)],
          );
        }
      }
      if (rows.length > 0) {
        const now = new Date();
        await producer.sendBatch({
          acks: -1,
          topicMessages: [
            {
              topic: SUBSCRIPTION_CHANGELOG_TOPIC,
              messages: rows.map((row) => ({
                key: row.id,
                value: encodeEndpointChange(endpointSnapshot(row, now)),
              })),
            },
          ],
        });
        delta.republished = rows.length;
      }
      return { rows, delta };
    });
    for (const key of Object.keys(counts) as Array<keyof ResealCounts>) counts[key] += batch.delta[key];
    options.onBatch?.(counts);
    if (batch.rows.length < batchSize) return counts;
    after = batch.rows[batch.rows.length - 1].id;
  }
}

type ResealOutcome =
  | {
      readonly kind: 'sealed' | 'resealed';
      readonly values: Pick<EndpointEntity, 'secret' | 'previousSecret' | 'headers'>;
    }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'failed'; readonly reason: string };

function reseal(sealer: SecretSealer, row: EndpointEntity, mode: ResealMode): ResealOutcome {
  const stored = [row.secret, row.previousSecret, ...Object.values(row.headers ?? {})].filter(
    (value): value is string => value !== null,
  );
  const plaintext = stored.some((value) => !isSealed(value));
  if (!plaintext && (mode === 'seal' || endpointSecretsCurrent(sealer, row))) return { kind: 'unchanged' };
  try {
    const opened = openEndpointSecrets(sealer, row);
    const sealed = sealEndpointSecrets(sealer, row, opened);
    return {
      kind: plaintext ? 'sealed' : 'resealed',
      values: {
        secret: sealed.secret,
        previousSecret: sealed.previousSecret,
        headers: { ...sealed.headers },
      },
    };
  } catch (error) {
    if (error instanceof SealedValueError) return { kind: 'failed', reason: error.message };
    throw error;
  }
}
