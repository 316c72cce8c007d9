/** Injection token of the `IngestEvents` use case. */
export const INGEST_EVENTS = Symbol('hookline.ingest.use-case');
/** Injection token of the tenant API key authenticator. */
export const API_KEY_AUTHENTICATOR = Symbol('hookline.ingest.api-key-authenticator');
/** Injection token of the service's `IngestMetrics`. */
export const INGEST_METRICS = Symbol('hookline.ingest.metrics');
/** Injection token of the Kafka client. */
export const KAFKA = Symbol('hookline.ingest.kafka');
/** Injection token of the `TrustedProxies` that tell a client's address. */
export const TRUSTED_PROXIES = Symbol('hookline.ingest.trusted-proxies');
/** Injection token of the `ApiKeyUsageRecorder`. */
export const API_KEY_USAGE = Symbol('hookline.ingest.api-key-usage');
/** Injection token of the subscription API's base URL for the event log, or undefined. */
export const EVENT_LOG_UPSTREAM = Symbol('hookline.ingest.event-log-upstream');
