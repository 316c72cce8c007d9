import {
  type AddressPolicy,
  checkUrlHost,
  describeAddressClass,
  hasUnsafeUrlCharacter,
} from '@hookline/egress';
import { isValidEventTypePattern } from '@hookline/events';
import { standardWebhooksKey, WHSEC_PREFIX } from '@hookline/signing';
import { FieldErrors } from '../errors/domain.errors';

/** Longest endpoint URL accepted; longer ones break proxies and logs. */
export const MAX_URL_LENGTH = 2048;
/** Most event-type patterns one endpoint subscribes with. */
export const MAX_EVENT_PATTERNS = 100;
/** Longest description. */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Limits of `metadata`: keys, key length, value length. */
export const METADATA_LIMITS = { maxKeys: 50, maxKeyLength: 40, maxValueLength: 500 } as const;
/** Limits of custom `headers`: count, name length, value length. */
export const HEADER_LIMITS = { maxHeaders: 20, maxNameLength: 100, maxValueLength: 1000 } as const;
/** Lengths of a caller-chosen secret not in `whsec_` form. */
export const SECRET_LENGTH = { min: 8, max: 256 } as const;

/**
 * Headers an endpoint may not set: the ones describing the request itself or the connection (the
 * sender owns those), and anything that would shadow Hookline's own signature and metadata headers.
 */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'content-type',
  'content-encoding',
  'user-agent',
]);
/** Prefixes of reserved header names besides the brand's own `x-<brand>-`. */
export const RESERVED_HEADER_PREFIXES: readonly string[] = ['webhook-'];

/** Rules that depend on the deployment. */
export interface EndpointInputRules {
  /** Whether `http://` URLs are accepted. */
  readonly allowHttpUrls: boolean;
  /**
   * Judges a URL's host when it is an IP literal or `localhost` (production posture); absent, any
   * host is accepted and only the dispatcher judges where it leads.
   */
  readonly hostPolicy: AddressPolicy | undefined;
  /** The preset's branded header prefix (`X-Appmint`); headers starting `X-Appmint-` are reserved. */
  readonly brandHeaderPrefix: string;
}

/** A validated endpoint registration. */
export interface CreateEndpointCommand {
  readonly url: string;
  readonly events: readonly string[];
  /** Absent: a `whsec_` secret is generated. */
  readonly secret: string | undefined;
  readonly description: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly active: boolean;
}

/**
 * A validated change: only the fields present are changed, each replaced as a whole. A cleared
 * field is present with its empty value (`description: null`, `metadata: {}`, `headers: {}`).
 */
export interface UpdateEndpointCommand {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly active?: boolean;
}

/** Fields an update may empty through `clear`; the others have no empty value an endpoint may hold. */
export const CLEARABLE_FIELDS = ['description', 'metadata', 'headers'] as const;

/** A field an update may empty. */
export type ClearableField = (typeof CLEARABLE_FIELDS)[number];

const CREATE_FIELDS = new Set(['url', 'events', 'secret', 'description', 'metadata', 'headers', 'active']);
const UPDATE_FIELDS = new Set(['url', 'events', 'description', 'metadata', 'headers', 'active', 'clear']);
// On creation an empty map is the default anyway; `events` stays, so `[]` is named as the mistake it is.
const CREATE_EMPTY_MEANS_ABSENT = ['metadata', 'headers'];
// On update an empty list or map cannot be meant as a value: clearing goes through `clear`.
const UPDATE_EMPTY_MEANS_ABSENT = ['events', 'metadata', 'headers', 'clear'];
// Fields of the endpoint as GET shows it: sending a fetched endpoint back must work, so they are ignored.
const READ_ONLY_FIELDS = new Set([
  'id',
  'object',
  'created',
  'updated',
  'version',
  'disabled_reason',
  'previous_secret_expires_at',
]);

/** Validates a registration, reporting every bad field at once (throws `ValidationError`). */
export function parseCreateEndpoint(input: unknown, rules: EndpointInputRules): CreateEndpointCommand {
  const errors = new FieldErrors();
  const body = withoutAbsentFields(readBody(input, errors), CREATE_EMPTY_MEANS_ABSENT);
  checkKnownFields(body, CREATE_FIELDS, errors);
  if (body.url === undefined) errors.add('url', 'is required');
  if (body.events === undefined) errors.add('events', 'is required');
  const command: CreateEndpointCommand = {
    url: body.url === undefined ? '' : readUrl(body.url, rules, errors),
    events: body.events === undefined ? [] : readEvents(body.events, errors),
    secret: body.secret === undefined ? undefined : readSecret(body.secret, 'secret', errors),
    description: body.description === undefined ? null : readDescription(body.description, errors),
    metadata: body.metadata === undefined ? {} : readMetadata(body.metadata, errors),
    headers: body.headers === undefined ? {} : readHeaders(body.headers, rules, errors),
    active: body.active === undefined ? true : readActive(body.active, errors),
  };
  errors.throwIfAny();
  return command;
}

/**
 * Validates a change. Absent fields stay as they are (so the reference page's `PUT` carrying only
 * `events` works), and so do fields that are `null` or an empty list or map: generated clients send
 * those for every optional field they were not asked to set. Emptying a field takes `clear`.
 * `secret` is refused because only a rotation may change it.
 */
export function parseUpdateEndpoint(input: unknown, rules: EndpointInputRules): UpdateEndpointCommand {
  const errors = new FieldErrors();
  const body = withoutAbsentFields(readBody(input, errors), UPDATE_EMPTY_MEANS_ABSENT);
  if (body.secret !== undefined)
    errors.add('secret', 'cannot be changed by an update; rotate the secret instead');
  checkKnownFields(body, new Set([...UPDATE_FIELDS, 'secret']), errors);
  const command: {
    -readonly [K in keyof UpdateEndpointCommand]: UpdateEndpointCommand[K];
  } = {};
  if (body.url !== undefined) command.url = readUrl(body.url, rules, errors);
  if (body.events !== undefined) command.events = readEvents(body.events, errors);
  if (body.description !== undefined) command.description = readDescription(body.description, errors);
  if (body.metadata !== undefined) command.metadata = readMetadata(body.metadata, errors);
  if (body.headers !== undefined) command.headers = readHeaders(body.headers, rules, errors);
  if (body.active !== undefined) command.active = readActive(body.active, errors);
  for (const field of body.clear === undefined ? [] : readClear(body.clear, body, errors)) {
    if (field === 'description') command.description = null;
    else command[field] = {};
  }
  errors.throwIfAny();
  return command;
}

/**
 * `body` without the members that mean "not given": `null` ones, and, for the fields named in
 * `emptyMeansAbsent`, an empty list or map.
 */
export function withoutAbsentFields(
  body: Record<string, unknown>,
  emptyMeansAbsent: readonly string[] = [],
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(
      ([field, value]) => value !== null && !(emptyMeansAbsent.includes(field) && isEmptyContainer(value)),
    ),
  );
}

function isEmptyContainer(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** Validates the optional body of a secret rotation; `undefined` means generate one. */
export function parseRotateSecret(input: unknown): string | undefined {
  const errors = new FieldErrors();
  const body = readBody(input, errors);
  checkKnownFields(body, new Set(['secret']), errors);
  const secret =
    body.secret === undefined || body.secret === null ? undefined : readSecret(body.secret, 'secret', errors);
  errors.throwIfAny();
  return secret;
}

/** A JSON object body; an absent body counts as `{}`. */
export function readBody(input: unknown, errors: FieldErrors): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    errors.add('body', 'must be a JSON object');
    return {};
  }
  return input as Record<string, unknown>;
}

/** Records every field of `body` that is neither allowed nor read-only. */
export function checkKnownFields(
  body: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  errors: FieldErrors,
): void {
  for (const field of Object.keys(body)) {
    if (!allowed.has(field) && !READ_ONLY_FIELDS.has(field)) errors.add(field, 'is not a known field');
  }
}

function readUrl(value: unknown, rules: EndpointInputRules, errors: FieldErrors): string {
  if (typeof value !== 'string' || value.trim() === '') {
    errors.add('url', 'must be a non-empty string');
    return '';
  }
  if (value.length > MAX_URL_LENGTH) {
    errors.add('url', `must be at most ${MAX_URL_LENGTH} characters`);
    return '';
  }
  // URL parsing drops tabs and line breaks and trims spaces: the URL stored must be the one called.
  if (hasUnsafeUrlCharacter(value)) {
    errors.add('url', 'must not contain spaces, tabs, line breaks or other control characters');
    return '';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    errors.add('url', 'must be an absolute URL');
    return '';
  }
  const protocols = rules.allowHttpUrls ? ['https:', 'http:'] : ['https:'];
  if (!protocols.includes(url.protocol)) {
    errors.add('url', rules.allowHttpUrls ? 'must use https or http' : 'must use https');
  } else if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and delivery records; custom headers are the place for them.
    errors.add('url', 'must not contain credentials; send them in a custom header instead');
  } else if (url.hostname === '') {
    errors.add('url', 'must name a host');
  } else if (rules.hostPolicy) {
    // The parsed host: `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all 127.0.0.1 by now.
    const verdict = checkUrlHost(rules.hostPolicy, url.hostname);
    if (!verdict.allowed)
      errors.add('url', `must not point to ${describeAddressClass(verdict.addressClass)}`);
  }
  return value;
}

function readEvents(value: unknown, errors: FieldErrors): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    errors.add('events', 'must be a non-empty array of event types');
    return [];
  }
  if (value.length > MAX_EVENT_PATTERNS) {
    errors.add('events', `must hold at most ${MAX_EVENT_PATTERNS} event types`);
    return [];
  }
  const events: string[] = [];
  value.forEach((pattern, index) => {
    if (typeof pattern !== 'string' || !isValidEventTypePattern(pattern)) {
      errors.add(
        `events[${index}]`,
        `${JSON.stringify(pattern)} is not a known event type, a group wildcard such as user.* or *`,
      );
    } else if (!events.includes(pattern)) {
      events.push(pattern);
    }
  });
  return events;
}

function readSecret(value: unknown, field: string, errors: FieldErrors): string | undefined {
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string');
    return undefined;
  }
  // Messages never repeat the secret.
  if (value.startsWith(WHSEC_PREFIX)) {
    let bytes: number;
    try {
      bytes = standardWebhooksKey(value).length;
    } catch {
      errors.add(field, `a ${WHSEC_PREFIX} secret must be padded base64 after the prefix`);
      return undefined;
    }
    if (bytes < 24 || bytes > 64) errors.add(field, `a ${WHSEC_PREFIX} secret must hold 24 to 64 bytes`);
    return value;
  }
  if (!/^[\x21-\x7e]*$/.test(value) || value.length < SECRET_LENGTH.min || value.length > SECRET_LENGTH.max) {
    errors.add(
      field,
      `must be ${SECRET_LENGTH.min} to ${SECRET_LENGTH.max} printable ASCII characters without spaces, or a ${WHSEC_PREFIX} secret`,
    );
  }
  return value;
}

function readDescription(value: unknown, errors: FieldErrors): string {
  if (typeof value !== 'string') {
    errors.add('description', 'must be a string');
    return '';
  }
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    errors.add('description', `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return value;
}

function readClear(value: unknown, body: Record<string, unknown>, errors: FieldErrors): ClearableField[] {
  if (!Array.isArray(value)) {
    errors.add('clear', `must be a list of field names (${CLEARABLE_FIELDS.join(', ')})`);
    return [];
  }
  const fields: ClearableField[] = [];
  value.forEach((item, index) => {
    const field = `clear[${index}]`;
    if ((CLEARABLE_FIELDS as readonly unknown[]).includes(item)) {
      const clearable = item as ClearableField;
      // Both would be a guess at what the caller meant.
      if (body[clearable] !== undefined)
        errors.add(field, `${clearable} is also given a value; send one or the other`);
      else if (!fields.includes(clearable)) fields.push(clearable);
    } else if (typeof item === 'string' && UPDATE_FIELDS.has(item)) {
      errors.add(field, `${item} cannot be cleared: an endpoint always has one`);
    } else {
      errors.add(field, `${JSON.stringify(item)} is not a clearable field (${CLEARABLE_FIELDS.join(', ')})`);
    }
  });
  return fields;
}

function readActive(value: unknown, errors: FieldErrors): boolean {
  if (typeof value !== 'boolean') errors.add('active', 'must be true or false');
  return value === true;
}

export function readMetadata(value: unknown, errors: FieldErrors): Record<string, string> {
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.add('metadata', 'must be an object of string values');
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_LIMITS.maxKeys) {
    errors.add('metadata', `must have at most ${METADATA_LIMITS.maxKeys} keys`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > METADATA_LIMITS.maxKeyLength) {
      errors.add(`metadata.${key}`, `keys must be 1 to ${METADATA_LIMITS.maxKeyLength} characters`);
    } else if (typeof item !== 'string') {
      errors.add(`metadata.${key}`, 'must be a string');
    } else if (item.length > METADATA_LIMITS.maxValueLength) {
      errors.add(`metadata.${key}`, `must be at most ${METADATA_LIMITS.maxValueLength} characters`);
    } else {
      metadata[key] = item;
    }
  }
  return metadata;
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Visible ASCII, spaces and tabs inside; no CR, LF or NUL, which would split or end the header.
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

function readHeaders(value: unknown, rules: EndpointInputRules, errors: FieldErrors): Record<string, string> {
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.add('headers', 'must be an object of header names to string values');
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > HEADER_LIMITS.maxHeaders) {
    errors.add('headers', `must have at most ${HEADER_LIMITS.maxHeaders} headers`);
  }
  const brandPrefix = `${rules.brandHeaderPrefix.toLowerCase()}-`;
  const seen = new Set<string>();
  const headers: Record<string, string> = {};
  for (const [name, item] of entries) {
    const field = `headers.${name}`;
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name) || name.length > HEADER_LIMITS.maxNameLength) {
      errors.add(
        field,
        `is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~, at most ${HEADER_LIMITS.maxNameLength})`,
      );
    } else if (
      RESERVED_HEADER_NAMES.has(lower) ||
      lower.startsWith(brandPrefix) ||
      RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))
    ) {
      errors.add(field, 'is reserved: the sender sets it on every delivery');
    } else if (seen.has(lower)) {
      errors.add(field, 'is given twice (header names are case-insensitive)');
    } else if (typeof item !== 'string') {
      errors.add(field, 'must be a string');
    } else if (!HEADER_VALUE.test(item) || item.length > HEADER_LIMITS.maxValueLength) {
      errors.add(
        field,
        `must be 1 to ${HEADER_LIMITS.maxValueLength} visible ASCII characters (no line breaks, no leading or trailing spaces)`,
      );
    } else {
      headers[name] = item;
    }
    seen.add(lower);
  }
  return headers;
}
