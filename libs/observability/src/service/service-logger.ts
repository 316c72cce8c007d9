import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { LogLevelName } from './service-config';

const NEST_LEVELS: Record<LogLevelName, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

// Nest narrates its own startup (every module, controller and route) at the info level; that detail
// belongs to debug, so an operator at info sees one "listening on" line per start.
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** Nest log levels enabled by an operator-facing level. */
export function nestLogLevels(level: LogLevelName): LogLevel[] {
  return [...NEST_LEVELS[level]];
}

/** Console logger of a service: prefixed with its name, filtered by level, framework chatter at debug. */
export class ServiceLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context))
      super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/** Creates the logger of a service; colours only when writing to a terminal. */
export function createServiceLogger(service: string, level: LogLevelName): ServiceLogger {
  return new ServiceLogger({
    prefix: service,
    logLevels: nestLogLevels(level),
    colors: process.stdout.isTTY === true,
  });
}
