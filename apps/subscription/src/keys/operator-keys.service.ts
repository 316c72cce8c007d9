import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { OperatorKeyEntity } from '@hookline/persistence';
import {
  type ApiKeyUsageRecorder,
  createApiKeyUsageRecorder,
  hashApiKey,
  mintApiKey,
  OPERATOR_KEY_PREFIX,
  operatorKeyPrefix,
} from '@hookline/tenancy';
import { DataSource } from 'typeorm';
import type { SubscriptionConfig } from '../config';
import { checkKnownFields, readBody } from '../endpoints/endpoint-input.validator';
import { FieldErrors, NotFoundError } from '../errors/domain.errors';
import { newResourceId } from '../ids/resource-id.generator';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** Longest operator key name. */
export const MAX_OPERATOR_KEY_NAME_LENGTH = 100;

/** An operator key as listings show it: never the key itself. */
export interface OperatorKeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A freshly minted operator key: `key` is shown this once and is not stored. */
export interface MintedOperatorKey {
  readonly operatorKey: OperatorKeyView;
  readonly key: string;
}

/**
 * Operator API keys (`hlo_sk_…`), beside the bootstrap admin token: minted, hashed and shaped as
 * tenants' API keys are (`@hookline/tenancy`), stored in `operator_keys`. Each call looks the key up
 * (operator calls are few), so a revocation holds at once on every instance; uses are written to
 * `last_used_at` in batches, as API keys' are.
 */
@Injectable()
export class OperatorKeysService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly usage: ApiKeyUsageRecorder;

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: SubscriptionMetrics,
    @Inject(SUBSCRIPTION_CONFIG) config: SubscriptionConfig,
  ) {
    const logger = new Logger('OperatorKeyUsage');
    this.usage = createApiKeyUsageRecorder(
      dataSource,
      config.auth,
      (message) => logger.warn(message),
      'operator_keys',
    );
  }

  onApplicationBootstrap(): void {
    this.usage.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.usage.stop();
  }

  /** Mints a key from `{ name }`; only its hash and first characters are stored. */
  mint(input: unknown): Promise<MintedOperatorKey> {
    return this.metrics.track('operator_key', 'create', async () => {
      const errors = new FieldErrors();
      const body = readBody(input, errors);
      checkKnownFields(body, new Set(['name']), errors);
      const name = body.name;
      if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_OPERATOR_KEY_NAME_LENGTH) {
        errors.add(
          'name',
          name === undefined || name === null
            ? 'is required'
            : `must be a non-empty string of at most ${MAX_OPERATOR_KEY_NAME_LENGTH} characters`,
        );
      }
      errors.throwIfAny();
      const minted = mintApiKey(OPERATOR_KEY_PREFIX);
      const repository = this.dataSource.getRepository(OperatorKeyEntity);
      const id = newResourceId('operatorKey');
      await repository.insert(
        repository.create({ id, name: (name as string).trim(), prefix: minted.prefix, hash: minted.hash }),
      );
      return { operatorKey: toView(await repository.findOneByOrFail({ id })), key: minted.key };
    });
  }

  /** Every operator key, revoked ones included, oldest first. */
  list(): Promise<OperatorKeyView[]> {
    return this.metrics.track('operator_key', 'list', async () => {
      await this.usage.flush();
      const keys = await this.dataSource.getRepository(OperatorKeyEntity).find({ order: { id: 'ASC' } });
      return keys.map(toView);
    });
  }

  /** Revokes a key; revoking it again changes nothing. */
  revoke(id: string): Promise<OperatorKeyView> {
    return this.metrics.track('operator_key', 'revoke', async () => {
      await this.dataSource.query(
        'UPDATE operator_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
        [id],
      );
      const key = await this.dataSource.getRepository(OperatorKeyEntity).findOneBy({ id });
      if (!key) throw new NotFoundError('operator key', id);
      return toView(key);
    });
  }

  /** Whether `token` is a live operator key (noting its use); false for anything else. */
  async verify(token: string): Promise<boolean> {
    if (operatorKeyPrefix(token) === undefined) return false;
    const rows: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id FROM operator_keys WHERE hash = $1 AND revoked_at IS NULL',
      [hashApiKey(token)],
    );
    if (rows.length !== 1) return false;
    this.usage.touch(rows[0].id, '');
    return true;
  }
}

function toView(key: OperatorKeyEntity): OperatorKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}
