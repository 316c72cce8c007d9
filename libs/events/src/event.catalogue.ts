import {
  documentDataSchema,
  fields,
  openDataSchema,
  paymentDataSchema,
  userDataSchema,
} from './event-data.schemas';
import { topicForEventType } from './event.topics';
import type { JsonSchema } from './json-schema';

/** The headings the reference pages list event types under, for grouping in portals and docs. */
export type EventCategory =
  'authentication' | 'projects' | 'database' | 'file-storage' | 'payments' | 'workflows' | 'system';

/** One event type a producer may publish and an endpoint may subscribe to. */
export interface EventTypeDefinition {
  /** Full name, e.g. `user.created`. */
  readonly type: string;
  /** First segment of the name (`user`); `user.*` subscribes to the whole group. */
  readonly group: string;
  /** Heading the type is listed under. */
  readonly category: EventCategory;
  /** One line for humans, from the reference pages. */
  readonly description: string;
  /** JSON Schema of `data`. */
  readonly schema: JsonSchema;
  /** Kafka topic holding events of this type. */
  readonly topic: string;
  /** A valid `data`, used for test events and documentation. */
  readonly sample: Readonly<Record<string, unknown>>;
}

function define(
  type: string,
  category: EventCategory,
  description: string,
  schema: JsonSchema,
  sample: Record<string, unknown>,
): EventTypeDefinition {
  return Object.freeze({
    type,
    group: type.split('.')[0],
    category,
    description,
    schema,
    topic: topicForEventType(type),
    sample: deepFreeze(sample),
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const CREATED_AT = '2024-01-15T10:30:00Z';

// The Appmint page's user example, verbatim.
const appmintUser = {
  id: 'user_abc123',
  email: 'john@example.com',
  name: 'John Doe',
  email_verified: false,
  phone: '+1234567890',
  phone_verified: false,
  profile: {
    first_name: 'John',
    last_name: 'Doe',
    avatar_url: 'https://cdn.appmint.io/avatars/abc123.jpg',
    timezone: 'America/New_York',
  },
  metadata: { signup_source: 'mobile_app', referrer: 'friend_invite' },
  created_at: CREATED_AT,
  updated_at: CREATED_AT,
};

// The Appmint page's payment example, verbatim.
const appmintPayment = {
  id: 'pay_def456',
  amount: 2999,
  currency: 'usd',
  customer_id: 'user_abc123',
  status: 'succeeded',
  payment_method: { type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2025 } },
  receipt_url: 'https://receipts.appmint.io/pay_def456',
  created_at: CREATED_AT,
};

// The Appmint page's document example, verbatim.
const appmintDocument = {
  id: 'doc_ghi789',
  collection: 'posts',
  document: {
    title: 'My First Post',
    content: 'Hello, world!',
    author_id: 'user_abc123',
    published: false,
    tags: ['introduction', 'blog'],
    created_at: CREATED_AT,
  },
  metadata: { source: 'api', ip_address: '192.168.1.1', user_agent: 'MyApp/1.0' },
};

const projectSchema = openDataSchema({
  name: fields.string,
  created_at: fields.timestamp,
  updated_at: fields.timestamp,
});
const project = {
  id: 'proj_abc123',
  name: 'Website redesign',
  created_at: CREATED_AT,
  updated_at: CREATED_AT,
};

const collectionSchema = openDataSchema({ name: fields.string, created_at: fields.timestamp });

const fileSchema = openDataSchema({
  name: fields.string,
  size: fields.count,
  content_type: fields.string,
  url: fields.uri,
  error: fields.string,
  created_at: fields.timestamp,
});
const file = {
  id: 'file_jkl012',
  name: 'avatar.png',
  size: 48213,
  content_type: 'image/png',
  url: 'https://files.example.com/file_jkl012/avatar.png',
  created_at: CREATED_AT,
};

const subscriptionSchema = openDataSchema({
  customer_id: fields.string,
  plan: fields.string,
  status: fields.string,
  current_period_end: fields.timestamp,
  created_at: fields.timestamp,
});
const subscription = {
  id: 'sub_mno345',
  customer_id: 'user_abc123',
  plan: 'pro_monthly',
  status: 'active',
  current_period_end: '2024-02-15T10:30:00Z',
  created_at: CREATED_AT,
};

const workflowSchema = openDataSchema({
  workflow_id: fields.string,
  name: fields.string,
  status: fields.string,
  error: fields.string,
  started_at: fields.timestamp,
  completed_at: fields.timestamp,
});
const workflowRun = {
  id: 'run_pqr678',
  workflow_id: 'wf_onboarding',
  name: 'Onboarding',
  status: 'running',
  started_at: CREATED_AT,
};

const taskSchema = openDataSchema({
  workflow_id: fields.string,
  name: fields.string,
  status: fields.string,
  assignee_id: fields.string,
  created_at: fields.timestamp,
  completed_at: fields.timestamp,
});
const task = {
  id: 'task_stu901',
  workflow_id: 'wf_onboarding',
  name: 'Verify email',
  status: 'open',
  assignee_id: 'user_abc123',
  created_at: CREATED_AT,
};

const applicationSchema = openDataSchema({
  version: fields.string,
  environment: fields.string,
  message: fields.string,
  deployed_at: fields.timestamp,
  occurred_at: fields.timestamp,
});

/**
 * Every event type either reference page names. Types on both pages (`user.*`, `payment.*`) appear
 * once; the user schema accepts both pages' user shapes.
 */
export const catalogue: ReadonlyArray<EventTypeDefinition> = Object.freeze([
  // Authentication
  define('user.created', 'authentication', 'A new user is created', userDataSchema, appmintUser),
  define('user.updated', 'authentication', 'User information is updated', userDataSchema, {
    ...appmintUser,
    name: 'John Q. Doe',
    updated_at: '2024-01-16T08:00:00Z',
  }),
  define('user.deleted', 'authentication', 'A user is deleted', userDataSchema, {
    object: 'user',
    id: 'user_123',
    name: 'John Doe',
    email: 'john@example.com',
  }),
  define('user.login', 'authentication', 'User login activity', userDataSchema, {
    id: 'user_abc123',
    email: 'john@example.com',
    metadata: { ip_address: '192.168.1.1', user_agent: 'MyApp/1.0' },
  }),
  define('user.logout', 'authentication', 'User logout activity', userDataSchema, {
    id: 'user_abc123',
    email: 'john@example.com',
  }),
  define(
    'password.reset',
    'authentication',
    'Password reset request',
    openDataSchema({
      user_id: fields.string,
      email: { type: 'string', format: 'email' },
      requested_at: fields.timestamp,
    }),
    { id: 'pwr_vwx234', user_id: 'user_abc123', email: 'john@example.com', requested_at: CREATED_AT },
  ),

  // Projects
  define('project.created', 'projects', 'A new project is created', projectSchema, project),
  define('project.updated', 'projects', 'Project settings are updated', projectSchema, {
    ...project,
    name: 'Website redesign 2024',
    updated_at: '2024-01-16T08:00:00Z',
  }),
  define('project.deleted', 'projects', 'A project is deleted', projectSchema, { id: 'proj_abc123' }),

  // Database
  define('document.created', 'database', 'New document in collection', documentDataSchema, appmintDocument),
  define('document.updated', 'database', 'Document modification', documentDataSchema, {
    ...appmintDocument,
    document: { ...appmintDocument.document, published: true },
  }),
  define('document.deleted', 'database', 'Document deletion', documentDataSchema, {
    id: 'doc_ghi789',
    collection: 'posts',
  }),
  define('collection.created', 'database', 'New collection created', collectionSchema, {
    id: 'col_posts',
    name: 'posts',
    created_at: CREATED_AT,
  }),
  define('collection.deleted', 'database', 'Collection removed', collectionSchema, {
    id: 'col_posts',
    name: 'posts',
  }),

  // File storage
  define('file.uploaded', 'file-storage', 'New file upload', fileSchema, file),
  define('file.deleted', 'file-storage', 'File deletion', fileSchema, {
    id: 'file_jkl012',
    name: 'avatar.png',
  }),
  define('file.processing.completed', 'file-storage', 'File processing finished', fileSchema, file),
  define('file.processing.failed', 'file-storage', 'File processing error', fileSchema, {
    ...file,
    error: 'unsupported image encoding',
  }),

  // Payments
  define(
    'payment.succeeded',
    'payments',
    'A payment is completed successfully',
    paymentDataSchema,
    appmintPayment,
  ),
  define('payment.failed', 'payments', 'A payment fails', paymentDataSchema, {
    ...appmintPayment,
    id: 'pay_ghj789',
    status: 'failed',
  }),
  define('payment.refunded', 'payments', 'A payment is refunded', paymentDataSchema, {
    ...appmintPayment,
    status: 'refunded',
  }),
  define('subscription.created', 'payments', 'New subscription', subscriptionSchema, subscription),
  define('subscription.updated', 'payments', 'Subscription changes', subscriptionSchema, {
    ...subscription,
    plan: 'pro_yearly',
  }),
  define('subscription.cancelled', 'payments', 'Subscription cancellation', subscriptionSchema, {
    ...subscription,
    status: 'cancelled',
  }),

  // Workflows
  define('workflow.started', 'workflows', 'Workflow execution started', workflowSchema, workflowRun),
  define('workflow.completed', 'workflows', 'Workflow execution completed', workflowSchema, {
    ...workflowRun,
    status: 'completed',
    completed_at: '2024-01-15T10:31:12Z',
  }),
  define('workflow.failed', 'workflows', 'Workflow execution failed', workflowSchema, {
    ...workflowRun,
    status: 'failed',
    error: 'step "send-email" timed out',
    completed_at: '2024-01-15T10:35:00Z',
  }),
  define('task.created', 'workflows', 'New task created', taskSchema, task),
  define('task.completed', 'workflows', 'Task completion', taskSchema, {
    ...task,
    status: 'completed',
    completed_at: '2024-01-15T11:00:00Z',
  }),

  // System
  define('application.deployed', 'system', 'New deployment', applicationSchema, {
    id: 'dep_yza567',
    version: '1.4.2',
    environment: 'production',
    deployed_at: CREATED_AT,
  }),
  define('application.error', 'system', 'Application error', applicationSchema, {
    id: 'err_bcd890',
    environment: 'production',
    message: 'Unhandled exception in checkout handler',
    occurred_at: CREATED_AT,
  }),
  define(
    'api.rate_limit_exceeded',
    'system',
    'Rate limit reached',
    openDataSchema({
      limit: fields.count,
      window_seconds: fields.count,
      api_key_id: fields.string,
      occurred_at: fields.timestamp,
    }),
    {
      id: 'rle_efg123',
      limit: 1000,
      window_seconds: 60,
      api_key_id: 'key_live_abc',
      occurred_at: CREATED_AT,
    },
  ),
  define(
    'backup.completed',
    'system',
    'Backup operation finished',
    openDataSchema({
      size_bytes: fields.count,
      started_at: fields.timestamp,
      completed_at: fields.timestamp,
    }),
    { id: 'bak_hij456', size_bytes: 73400320, started_at: CREATED_AT, completed_at: '2024-01-15T10:42:00Z' },
  ),
]);

const byType = new Map(catalogue.map((definition) => [definition.type, definition]));

/** Names of every catalogue event type, in catalogue order. */
export const EVENT_TYPES: readonly string[] = Object.freeze(catalogue.map((definition) => definition.type));

/** Group names (`user`, `file`, ...), each once. */
export const EVENT_GROUPS: readonly string[] = Object.freeze([...new Set(catalogue.map((d) => d.group))]);

/** The catalogue entry for `type`, or `undefined` when the type is unknown. */
export function findEventType(type: string): EventTypeDefinition | undefined {
  return byType.get(type);
}

/** Whether `type` is in the catalogue. */
export function isKnownEventType(type: string): boolean {
  return byType.has(type);
}
