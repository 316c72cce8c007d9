import { catalogue, EVENT_GROUPS, findEventType, isKnownEventType } from './event.catalogue';
import { validateEventData } from './event.validator';

// Copied from the "Supported Events" list of the Hackmamba webhooks page.
const HACKMAMBA_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'project.created',
  'project.updated',
  'project.deleted',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
];

// Copied from the "Available Event Types" list of the Appmint webhooks page.
const APPMINT_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.login',
  'user.logout',
  'password.reset',
  'document.created',
  'document.updated',
  'document.deleted',
  'collection.created',
  'collection.deleted',
  'file.uploaded',
  'file.deleted',
  'file.processing.completed',
  'file.processing.failed',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'subscription.created',
  'subscription.updated',
  'subscription.cancelled',
  'workflow.started',
  'workflow.completed',
  'workflow.failed',
  'task.created',
  'task.completed',
  'application.deployed',
  'application.error',
  'api.rate_limit_exceeded',
  'backup.completed',
];

describe('event catalogue', () => {
  it.each(HACKMAMBA_TYPES)('has Hackmamba type %s', (type) => {
    expect(isKnownEventType(type)).toBe(true);
  });

  it.each(APPMINT_TYPES)('has Appmint type %s', (type) => {
    expect(isKnownEventType(type)).toBe(true);
  });

  it('holds exactly the union of both pages, each type once', () => {
    const expected = [...new Set([...HACKMAMBA_TYPES, ...APPMINT_TYPES])].sort();
    expect(catalogue.map((d) => d.type).sort()).toEqual(expected);
    expect(catalogue).toHaveLength(33);
  });

  it.each(catalogue.map((d) => [d.type, d] as const))(
    '%s: sample validates, topic and group derive from the type',
    (type, d) => {
      expect(validateEventData(type, d.sample)).toEqual({ ok: true, value: d.sample });
      expect(d.topic).toBe(`hookline.events.${type}`);
      expect(type.startsWith(`${d.group}.`)).toBe(true);
      expect(d.description.length).toBeGreaterThan(0);
    },
  );

  it('lists each group once', () => {
    expect([...EVENT_GROUPS].sort()).toEqual(
      [
        'api',
        'application',
        'backup',
        'collection',
        'document',
        'file',
        'password',
        'payment',
        'project',
        'subscription',
        'task',
        'user',
        'workflow',
      ].sort(),
    );
  });

  it('freezes samples so a test-event builder cannot corrupt them', () => {
    const sample = findEventType('user.created')?.sample as { profile: { timezone: string } };
    expect(() => {
      sample.profile.timezone = 'UTC';
    }).toThrow(TypeError);
  });

  it('accepts the Hackmamba page user data (with object: "user")', () => {
    const data = { object: 'user', id: 'user_123', name: 'John Doe', email: 'john@example.com' };
    expect(validateEventData('user.created', data).ok).toBe(true);
  });

  it('accepts the Appmint page envelope example data and its test-event data', () => {
    const envelopeExample = {
      id: 'user_abc123',
      email: 'user@example.com',
      name: 'John Doe',
      created_at: '2024-01-15T10:30:00Z',
      metadata: { source: 'signup_form', utm_campaign: 'winter_2024' },
    };
    expect(validateEventData('user.created', envelopeExample).ok).toBe(true);
    const simulator = { id: 'test_user_123', email: 'test@example.com', name: 'Test User' };
    expect(validateEventData('user.created', simulator).ok).toBe(true);
  });

  it('returns undefined for a type that is not in the catalogue', () => {
    expect(findEventType('invoice.paid')).toBeUndefined();
    expect(isKnownEventType('user')).toBe(false);
  });
});
