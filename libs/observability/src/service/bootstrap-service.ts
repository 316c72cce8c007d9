import { ConfigError } from '@hookline/config';
import { awaitSchema } from '@hookline/persistence';
import { type DynamicModule, type INestApplication, Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { describeFailure } from '../health/redact';
import { answerProtocolErrorsAsJson, type ErrorBodyWriter } from './protocol-errors';
import { DEFAULT_SCHEMA_WAIT_MS, type ServiceConfig } from './service-config';
import { createServiceLogger, type ServiceLogger } from './service-logger';

/** Options of `bootstrapService`. */
export interface BootstrapOptions {
  /**
   * Whether SIGTERM/SIGINT shut the process down (the process entry point wants this). Off by
   * default, so tests can boot several services in one process without them exiting it.
   */
  readonly handleSignals?: boolean;
  /**
   * Runs after the application is initialised and before HTTP listens, e.g. to connect and start the
   * microservices (gRPC) of a hybrid application. A failure fails the boot, as a taken port does.
   */
  readonly beforeListen?: (app: INestApplication) => Promise<void>;
  /**
   * The service's JSON error body, for the answers Node's HTTP server gives before any route runs
   * (malformed requests, oversized headers, a missing Host); `defaultErrorBody` when not given.
   */
  readonly errorBody?: ErrorBodyWriter;
}

/** A running service. */
export interface RunningService {
  /** The Nest application. */
  readonly app: INestApplication;
  /** The port actually bound (useful when configured with port 0). */
  readonly port: number;
  /** Base URL reachable from this host, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  /** Stops the listener and runs the shutdown hooks (which close Kafka and database connections). */
  close(): Promise<void>;
}

/**
 * Boots a service's root module over HTTP: a check that the database has every migration this build
 * needs (waiting up to `database.schemaWaitMs` for them, then refusing with `SchemaBehindError`),
 * buffered startup logs, the service's logger, shutdown hooks, listening on the configured host and
 * port, and one `"<service> listening on <host>:<port>"` line.
 */
export async function bootstrapService(
  rootModule: DynamicModule | Type<unknown>,
  config: ServiceConfig,
  options: BootstrapOptions = {},
): Promise<RunningService> {
  const logger = createServiceLogger(config.service, config.logLevel);
  // Before anything reads or writes: a build must not run on a schema lacking its migrations.
  await awaitSchema(config.database.url, {
    waitMs: config.database.schemaWaitMs ?? DEFAULT_SCHEMA_WAIT_MS,
    log: (line) => logger.warn(line, 'Schema'),
  });
  // abortOnError off: a failed boot must reach the caller (tests, runService) instead of exiting inside Nest.
  const app = await NestFactory.create(rootModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(logger);
  app.flushLogs();
  answerProtocolErrorsAsJson(app.getHttpServer(), options.errorBody);
  if (options.handleSignals) {
    // useProcessExit: a clean shutdown exits 0 rather than re-raising the signal.
    app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    armShutdownDeadline(config.shutdownGraceMs, logger);
  }
  try {
    if (options.beforeListen) {
      // Initialised first, so no other transport takes calls before every module's init hooks ran.
      await app.init();
      await options.beforeListen(app);
    }
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.log(`${config.service} listening on ${config.http.host}:${port}`, 'Bootstrap');
  return { app, port, url: `http://${reachableHost(config.http.host)}:${port}`, close: () => app.close() };
}

/**
 * The process entry point of a service: reads the configuration, boots, and exits non-zero with a
 * plain message (no stack trace) when either fails.
 */
export async function runService<C extends ServiceConfig>(
  loadConfig: () => C,
  bootstrap: (config: C, options: BootstrapOptions) => Promise<RunningService>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  try {
    await bootstrap(config, { handleSignals: true });
  } catch (error) {
    Logger.flush();
    process.stderr.write(`${config.service} failed to start: ${describeFailure(error)}\n`);
    process.exit(1);
  }
}

// Shutdown hooks may wait on a stuck broker or query; an orchestrator would SIGKILL the process
// anyway, so exit on our own terms once the grace period is over.
function armShutdownDeadline(graceMs: number, logger: ServiceLogger): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.log(`${signal} received; shutting down (grace ${graceMs} ms)`, 'Shutdown');
    // Deliberately not unref'd: a hook stuck on a promise with no I/O behind it must end in exit 1,
    // not an idle exit 0. A clean shutdown calls process.exit(0) before this fires.
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${graceMs} ms; exiting`, undefined, 'Shutdown');
      process.exit(1);
    }, graceMs);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
