// Container HEALTHCHECK: the service answers /healthz on its own port. Liveness only: readiness
// (/readyz) depends on Kafka and Postgres, and a container must not be restarted for their outages.
const port = process.env.PORT;
if (!port) {
  console.error('healthcheck: PORT is not set');
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
