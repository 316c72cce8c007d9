/**
 * A dependency the service cannot do its work without (the Kafka cluster, Postgres).
 * `check` resolves when the dependency answers and rejects with the reason when it does not.
 */
export interface ReadinessProbe {
  /** Dependency name as reported by `/readyz` and the `hookline_ready{dependency}` gauge, e.g. `kafka`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects with an error saying why it does not. */
  check(): Promise<void>;
  /** Releases the connections the probe opened itself; called once at shutdown. */
  close?(): Promise<void>;
}

/** The result of one probe. */
export type ProbeOutcome =
  | { readonly dependency: string; readonly status: 'up' }
  | { readonly dependency: string; readonly status: 'down'; readonly reason: string };

/** The result of all probes: ready only when every dependency is up. */
export interface ReadinessReport {
  readonly status: 'ready' | 'not-ready';
  readonly dependencies: readonly ProbeOutcome[];
}
