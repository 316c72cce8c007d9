/** Injection token of the service's readiness probes (`ReadinessProbe[]`). */
export const READINESS_PROBES = Symbol('hookline.readiness-probes');
/** Injection token of the resolved health options. */
export const HEALTH_OPTIONS = Symbol('hookline.health-options');

/** Health options once resolved. */
export interface ResolvedHealthOptions {
  /** Time each probe may take before it counts as down. */
  readonly probeTimeoutMs: number;
}
