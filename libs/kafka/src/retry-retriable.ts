/**
 * Runs a Kafka call again while it fails with an error the client marks retriable (a partition
 * without a leader just after topic creation, a coordinator moving). kafkajs retries most requests
 * itself, but not every admin call after a metadata change.
 */
export async function retryRetriable<T>(
  call: () => Promise<T>,
  attempts = 10,
  baseDelayMs = 100,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(baseDelayMs * 2 ** (attempt - 1), 2000)));
    }
  }
}
