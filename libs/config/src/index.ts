export { ConfigError, parseDurationMs, readConfig } from './read-config';
export type { EnvReader } from './read-config';
