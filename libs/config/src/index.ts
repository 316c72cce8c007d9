export { readPemFile } from './pem-file';
export type { PemKind } from './pem-file';
export { ConfigError, parseDurationMs, readConfig } from './read-config';
export type { EnvReader } from './read-config';
