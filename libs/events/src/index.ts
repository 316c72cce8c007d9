export { decodeDeliveryTask, deliveryTaskSchemas, encodeDeliveryTask } from './delivery-task.message';
export type {
  DeliveryAttemptTask,
  DeliveryTask,
  DeliveryTaskDecodeFailure,
  DeliveryTaskDecodeResult,
  RetryTask,
} from './delivery-task.message';
export { documentDataSchema, paymentDataSchema, userDataSchema } from './event-data.schemas';
export { EVENT_ID_PATTERN, EVENT_ID_PREFIX, isEventId, newEventId, recordEventId } from './event-id';
export type { RecordCoordinates } from './event-id';
export {
  expandEventTypePattern,
  isValidEventTypePattern,
  MATCH_ALL,
  matchesEventType,
} from './event-type.pattern';
export { catalogue, EVENT_GROUPS, EVENT_TYPES, findEventType, isKnownEventType } from './event.catalogue';
export type { EventCategory, EventTypeDefinition } from './event.catalogue';
export {
  DEAD_LETTER_TOPIC,
  delayLabel,
  DELIVERY_TASKS_TOPIC,
  eventTypeForTopic,
  INGEST_INVALID_TOPIC,
  INGEST_TOPIC,
  OPERATIONAL_EVENTS_TOPIC,
  retryTierTopic,
  SUBSCRIPTION_CHANGELOG_TOPIC,
  topicForEventType,
} from './event.topics';
export { validateEventData, validateRawEvent, validateWebhookEvent } from './event.validator';
export type { JsonSchema } from './json-schema';
export { rawEventSchema } from './raw-event';
export type { RawEvent } from './raw-event';
export {
  DEFAULT_MAX_TEXT_DEPTH,
  DEFAULT_TEXT_PROBLEM_LIMIT,
  fieldPath,
  findUnstorableText,
  isStorableText,
} from './storable-text';
export type { PathSegment, StorableTextOptions, TextProblem } from './storable-text';
export type { ValidationIssue, ValidationResult } from './schema.compiler';
export { createUlidGenerator, derivedUlid, ULID_PATTERN, ulidTime, ulidTimePart } from './ulid.generator';
export type { UlidGenerator, UlidSources } from './ulid.generator';
export {
  ISO_CREATED_PATTERN,
  renderCreated,
  renderWebhookEvent,
  webhookEventSchema,
} from './webhook-event.envelope';
export type {
  CreatedFormat,
  WebhookEvent,
  WebhookEventFields,
  WebhookEventRequest,
} from './webhook-event.envelope';
export { decodeAcceptedEvent, encodeAcceptedEvent, renderDeliveryBody } from './accepted-event.message';
export type { AcceptedEvent, AcceptedEventDecodeResult } from './accepted-event.message';
export { decodeEndpointChange, encodeEndpointChange } from './endpoint-change.message';
export type {
  EndpointChange,
  EndpointChangeDecodeResult,
  EndpointSecret,
  EndpointSnapshot,
} from './endpoint-change.message';
export { encodeDeadLetter, encodeOperationalEvent } from './operational-event.message';
export type { DeadLetter, OperationalEvent, OperationalEventType } from './operational-event.message';
