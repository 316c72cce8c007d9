/** Injection token of the `IngestEvents` use case. */
export const INGEST_EVENTS = Symbol('hookline.ingest.use-case');
/** Injection token of the tenant API key authenticator. */
export const API_KEY_AUTHENTICATOR = Symbol('hookline.ingest.api-key-authenticator');
/** Injection token of the service's `IngestMetrics`. */
export const INGEST_METRICS = Symbol('hookline.ingest.metrics');
/** Injection token of the Kafka client. */
export const KAFKA = Symbol('hookline.ingest.kafka');
