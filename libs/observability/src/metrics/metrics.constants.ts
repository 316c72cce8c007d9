/** Injection token of the service's own prom-client `Registry`; features register their metrics on it. */
export const METRICS_REGISTRY = Symbol('hookline.metrics-registry');
