import {
  DEAD_LETTER_TOPIC,
  delayLabel,
  eventTypeForTopic,
  INGEST_INVALID_TOPIC,
  INGEST_TOPIC,
  OPERATIONAL_EVENTS_TOPIC,
  retryTierTopic,
  SUBSCRIPTION_CHANGELOG_TOPIC,
  topicForEventType,
} from './event.topics';

describe('topics', () => {
  it('names the fixed topics', () => {
    expect([
      INGEST_TOPIC,
      INGEST_INVALID_TOPIC,
      SUBSCRIPTION_CHANGELOG_TOPIC,
      DEAD_LETTER_TOPIC,
      OPERATIONAL_EVENTS_TOPIC,
    ]).toEqual([
      'hookline.ingest',
      'hookline.ingest.invalid',
      'hookline.subscriptions.changelog',
      'hookline.deliveries.dead-letter',
      'hookline.operational',
    ]);
  });

  it('maps an event type to its topic and back', () => {
    expect(topicForEventType('user.created')).toBe('hookline.events.user.created');
    expect(topicForEventType('api.rate_limit_exceeded')).toBe('hookline.events.api.rate_limit_exceeded');
    expect(eventTypeForTopic('hookline.events.file.processing.failed')).toBe('file.processing.failed');
    expect(eventTypeForTopic('hookline.ingest')).toBeUndefined();
    expect(eventTypeForTopic('hookline.events.')).toBeUndefined();
  });

  it.each(['', 'user created', 'user/created', '.user', 'user.', 'user..created', 'x'.repeat(201)])(
    'refuses to build a topic from %j',
    (type) => {
      expect(() => topicForEventType(type)).toThrow(TypeError);
    },
  );

  it.each([
    [0, '0s'],
    [5_000, '5s'],
    [60_000, '1m'],
    [300_000, '5m'],
    [900_000, '15m'],
    [1_800_000, '30m'],
    [3_600_000, '1h'],
    [7_200_000, '2h'],
    [21_600_000, '6h'],
    [86_400_000, '24h'],
    [90_000, '90s'],
    [1_500, '1500ms'],
    [5_400_000, '90m'],
  ])('labels %i ms as %s', (delayMs, label) => {
    expect(delayLabel(delayMs)).toBe(label);
    expect(retryTierTopic(delayMs)).toBe(`hookline.retry.${label}`);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a delay of %d', (delayMs) => {
    expect(() => retryTierTopic(delayMs)).toThrow(RangeError);
  });
});
