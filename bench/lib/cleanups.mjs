// What a long run started (brokers, databases, services, receivers), stopped in reverse order when
// the run ends or is interrupted, so neither the benchmark nor the fault-injection suite leaves
// anything running behind it.

/**
 * A registry of stop functions. `stopLater(stop)` registers one and returns a function that runs it
 * now and unregisters it; `cleanUp()` stops everything still registered, newest first. SIGINT and
 * SIGTERM clean up and exit 130; `interrupted()` tells a loop to stop starting new work.
 */
export function createCleanups(what) {
  const cleanups = new Set();
  let interrupted = false;
  const cleanUp = async () => {
    const pending = [...cleanups].reverse();
    cleanups.clear();
    for (const cleanup of pending) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`cleaning up: ${error.message}`);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping everything ${what} started`);
      void cleanUp().then(() => process.exit(130));
    });
  }
  return {
    stopLater(stop) {
      cleanups.add(stop);
      return async () => {
        if (!cleanups.delete(stop)) return;
        await stop();
      };
    },
    cleanUp,
    interrupted: () => interrupted,
  };
}
