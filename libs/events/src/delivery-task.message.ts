import type { JsonSchema } from './json-schema';
import { collectIssues, compileSchema } from './schema.compiler';

/**
 * Messages on Hookline's internal delivery and retry topics: a tagged union, versioned per kind.
 *
 * Versioning rule: adding an optional field keeps `v`; renaming, removing or changing the meaning of
 * a field bumps it, and decoders refuse versions they do not know rather than guess. Unknown extra
 * fields are tolerated so a newer producer can add optional data without breaking older consumers.
 */

/** One attempt to deliver one event to one endpoint. */
export interface DeliveryAttemptTask {
  readonly kind: 'delivery';
  readonly v: 1;
  /** Identifies the (event, endpoint) delivery across all its attempts. */
  readonly deliveryId: string;
  /** The event to send. */
  readonly eventId: string;
  /** Its type, so consumers can route and label metrics without loading the event. */
  readonly eventType: string;
  /** Owner of the endpoint. */
  readonly tenantId: string;
  /** Where to send. */
  readonly endpointId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Epoch milliseconds before which the attempt must not be made; absent means now. */
  readonly dueAt?: number;
}

/** A failed delivery parked on a retry tier until `dueAt`, then turned back into a delivery attempt. */
export interface RetryTask {
  readonly kind: 'retry';
  readonly v: 1;
  /** Same as the failed attempt's. */
  readonly deliveryId: string;
  /** Same as the failed attempt's. */
  readonly eventId: string;
  /** Same as the failed attempt's. */
  readonly eventType: string;
  /** Same as the failed attempt's. */
  readonly tenantId: string;
  /** Same as the failed attempt's. */
  readonly endpointId: string;
  /** The attempt to make when due: 2 for the first retry, or the same number again when an attempt was deferred. */
  readonly attempt: number;
  /** Epoch milliseconds when the retry becomes due. */
  readonly dueAt: number;
  /** Short, secret-free reason the previous attempt failed (e.g. `http 503`), for logs. */
  readonly reason?: string;
}

/** Every message on the delivery and retry topics. */
export type DeliveryTask = DeliveryAttemptTask | RetryTask;

/** Why bytes could not be decoded as a task; the consumer dead-letters them with this. */
export type DeliveryTaskDecodeFailure = {
  readonly ok: false;
  readonly reason: 'malformed-json' | 'unknown-kind' | 'unsupported-version' | 'invalid-fields';
  readonly message: string;
};

/** Outcome of decoding a delivery or retry message. */
export type DeliveryTaskDecodeResult =
  { readonly ok: true; readonly task: DeliveryTask } | DeliveryTaskDecodeFailure;

const identifier = { type: 'string', minLength: 1, maxLength: 255 } as const;
const epochMs = { type: 'integer', minimum: 0 } as const;
const common = {
  deliveryId: identifier,
  eventId: identifier,
  eventType: identifier,
  tenantId: identifier,
  endpointId: identifier,
} as const;
const commonRequired = [
  'kind',
  'v',
  'deliveryId',
  'eventId',
  'eventType',
  'tenantId',
  'endpointId',
  'attempt',
];

/** JSON Schemas by kind, then version. */
export const deliveryTaskSchemas: Readonly<
  Record<DeliveryTask['kind'], Readonly<Record<number, JsonSchema>>>
> = {
  delivery: {
    1: {
      type: 'object',
      required: commonRequired,
      properties: {
        kind: { const: 'delivery' },
        v: { const: 1 },
        ...common,
        attempt: { type: 'integer', minimum: 1 },
        dueAt: epochMs,
      },
    },
  },
  retry: {
    1: {
      type: 'object',
      required: [...commonRequired, 'dueAt'],
      properties: {
        kind: { const: 'retry' },
        v: { const: 1 },
        ...common,
        attempt: { type: 'integer', minimum: 1 },
        dueAt: epochMs,
        reason: { type: 'string', maxLength: 500 },
      },
    },
  },
};

const validators = Object.fromEntries(
  Object.entries(deliveryTaskSchemas).map(([kind, versions]) => [
    kind,
    new Map(Object.entries(versions).map(([v, schema]) => [Number(v), compileSchema(schema)])),
  ]),
);

/** Serialises a task after checking it, so an invalid task fails at the producer, not the consumer. */
export function encodeDeliveryTask(task: DeliveryTask): Buffer {
  const checked = checkTask(task);
  if (!checked.ok) throw new TypeError(`cannot encode ${task.kind} task: ${checked.message}`);
  return Buffer.from(JSON.stringify(task), 'utf8');
}

/** Parses and checks a message from a delivery or retry topic. */
export function decodeDeliveryTask(bytes: Uint8Array | string): DeliveryTaskDecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'malformed-json', message: (error as Error).message };
  }
  return checkTask(parsed);
}

function checkTask(value: unknown): DeliveryTaskDecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'malformed-json', message: 'message is not a JSON object' };
  }
  const { kind, v } = value as { kind?: unknown; v?: unknown };
  const versions = typeof kind === 'string' && Object.hasOwn(validators, kind) ? validators[kind] : undefined;
  if (!versions) {
    return { ok: false, reason: 'unknown-kind', message: `unknown task kind ${JSON.stringify(kind)}` };
  }
  const validate = typeof v === 'number' ? versions.get(v) : undefined;
  if (!validate) {
    const known = [...versions.keys()].join(', ');
    return {
      ok: false,
      reason: 'unsupported-version',
      message: `${kind} task version ${JSON.stringify(v)} is not supported (known: ${known})`,
    };
  }
  const issues = collectIssues(validate, value);
  if (issues.length > 0) {
    const message = issues.map((issue) => `${issue.field} ${issue.message}`).join('; ');
    return { ok: false, reason: 'invalid-fields', message };
  }
  return { ok: true, task: value as DeliveryTask };
}
