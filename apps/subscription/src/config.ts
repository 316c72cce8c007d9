import { readFileSync } from 'node:fs';
import { type EnvReader, readConfig, readPemFile } from '@hookline/config';
import { isAddressRange } from '@hookline/egress';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';
import { readSecretKeys, type SecretKeyring } from '@hookline/sealing';
import { type AuthProtectionConfig, readAuthProtectionConfig } from '@hookline/tenancy';
import { type PortalSettings, readPortalSettings } from './portal/portal.config';

/** Settings only the subscription service has. */
export interface SubscriptionSettings {
  /** Bearer token of the operator API (`/v1/admin`); the operator API is off when absent. */
  readonly adminToken: string | undefined;
  /** How long a rotated-out signing secret keeps signing next to the new one. */
  readonly secretRotationWindowMs: number;
  /** Whether endpoint URLs may use plain `http` (local development only). */
  readonly allowHttpUrls: boolean;
  /** Internal addresses or ranges an endpoint URL may name literally in the production posture. */
  readonly allowedCidrs: readonly string[];
  /** Whether every endpoint is published to the changelog again at boot, rebuilding a lost changelog. */
  readonly republishOnBoot: boolean;
  /** How long an API key lookup is cached; bounds how long a key revoked on another instance still works. */
  readonly apiKeyCacheTtlMs: number;
  /** How long a request waits for Kafka to confirm a write before it fails with 503. */
  readonly publishTimeoutMs: number;
}

/**
 * How strict the defaults are: `production` when `NODE_ENV=production` (the container image sets
 * it), `development` otherwise (`npm start`, tests).
 */
export type Posture = 'production' | 'development';

/** TLS of the gRPC admin API: PEM contents, read once at boot. */
export interface GrpcTlsSettings {
  /** Server certificate chain. */
  readonly cert: string;
  /** Its private key. */
  readonly key: string;
  /** CA bundle client certificates must chain to; when set, a client without one is refused. */
  readonly clientCa: string | undefined;
}

/** Where and how the gRPC admin API listens. */
export interface GrpcSettings {
  /** Interface the gRPC server binds. */
  readonly host: string;
  /** TCP port of the gRPC server; 0 picks a free one, which the running service reports. */
  readonly port: number;
  /** TLS; `undefined` serves plaintext (loopback by default, or explicitly allowed). */
  readonly tls: GrpcTlsSettings | undefined;
}

/** Everything the subscription service is configured with. */
export interface SubscriptionConfig extends ServiceConfig {
  /** Strictness of the defaults. */
  readonly posture: Posture;
  /** The subscription service's own settings. */
  readonly subscription: SubscriptionSettings;
  /** How callers are authenticated: the brake on failures, trusted proxies, `last_used_at` writes. */
  readonly auth: AuthProtectionConfig;
  /** The gRPC admin API's listener. */
  readonly grpc: GrpcSettings;
  /** Keys sealing signing secrets and custom header values at rest (HOOKLINE_SECRET_KEYS). */
  readonly secretKeys: SecretKeyring;
  /** The customer portal: its links, who may frame it, its sessions' longest life, its files. */
  readonly portal: PortalSettings;
}

/** Port the subscription service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3002;

/** Port of the gRPC admin API when `SUBSCRIPTION_GRPC_PORT` is unset and `PORT` is not 0. */
export const DEFAULT_GRPC_PORT = 50051;

// Shorter tokens are guessable by anyone who can reach the operator API.
const MIN_ADMIN_TOKEN_LENGTH = 24;

/**
 * Reads the subscription service's configuration once at boot; one `ConfigError` names every bad key.
 *
 * Keys and defaults, each documented where it is read (`readServiceConfig`, `readPreset`,
 * `readKafkaConfig`): HOOKLINE_PRESET=hookline and its HOOKLINE_* overrides, PORT=3002,
 * HOST=0.0.0.0, KAFKA_BROKERS=127.0.0.1:9092, KAFKA_CLIENT_ID=hookline-subscription and the other
 * KAFKA_* connection keys, DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline,
 * DATABASE_POOL_SIZE=10, LOG_LEVEL=info, SHUTDOWN_GRACE_MS=25s; and the SUBSCRIPTION_* keys below
 * (among them SUBSCRIPTION_GRPC_HOST, SUBSCRIPTION_GRPC_PORT and SUBSCRIPTION_GRPC_TLS_*, the gRPC
 * admin API's listener); NODE_ENV (`production` selects the production posture); the authentication
 * keys of `readAuthProtectionConfig` (AUTH_BRAKE_FAILURES=20, AUTH_BRAKE_WINDOW=1m,
 * AUTH_BRAKE_TRACKED=10000, AUTH_TRUSTED_PROXIES, API_KEY_LAST_USED_INTERVAL=1m);
 * HOOKLINE_SECRET_KEYS or HOOKLINE_SECRET_KEYS_FILE, the keys sealing secrets at rest (`readSecretKeys`);
 * the customer portal's PORTAL_* keys (`readPortalSettings`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SubscriptionConfig {
  return readConfig(env, (r) => {
    const service = readServiceConfig(r, { service: 'subscription', defaultPort: DEFAULT_PORT });
    // SUBSCRIPTION_ADMIN_TOKEN: bearer token of the operator API (tenants, API keys); unset = API off.
    const adminToken = r.optionalString('SUBSCRIPTION_ADMIN_TOKEN');
    if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
      // The value is a credential: say what is wrong, never echo it.
      r.problem('SUBSCRIPTION_ADMIN_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters long`);
    }
    const subscription: SubscriptionSettings = {
      adminToken,
      // SUBSCRIPTION_SECRET_ROTATION_WINDOW: old secret stays valid this long after a rotation; default 24h.
      secretRotationWindowMs: r.durationMs('SUBSCRIPTION_SECRET_ROTATION_WINDOW', 24 * 3_600_000),
      // SUBSCRIPTION_ALLOW_HTTP_URLS: accept http:// endpoint URLs (development only); default false.
      allowHttpUrls: r.bool('SUBSCRIPTION_ALLOW_HTTP_URLS', false),
      // SUBSCRIPTION_ALLOWED_CIDRS: comma-separated addresses or CIDR ranges an endpoint URL may name literally in the production posture although they are internal (pair it with DISPATCHER_ALLOWED_CIDRS); default none.
      allowedCidrs: r.list('SUBSCRIPTION_ALLOWED_CIDRS', []),
      // SUBSCRIPTION_REPUBLISH_ON_BOOT: publish every endpoint to the changelog at boot; default true.
      republishOnBoot: r.bool('SUBSCRIPTION_REPUBLISH_ON_BOOT', true),
      // SUBSCRIPTION_API_KEY_CACHE_TTL: how long an API key lookup is cached; default 30s.
      apiKeyCacheTtlMs: r.durationMs('SUBSCRIPTION_API_KEY_CACHE_TTL', 30_000),
      // SUBSCRIPTION_PUBLISH_TIMEOUT: longest wait for Kafka to confirm a write before answering 503; default 10s.
      publishTimeoutMs: r.durationMs('SUBSCRIPTION_PUBLISH_TIMEOUT', 10_000),
    };
    for (const cidr of subscription.allowedCidrs) {
      if (!isAddressRange(cidr))
        r.problem('SUBSCRIPTION_ALLOWED_CIDRS', `"${cidr}" is not an address or CIDR range`);
    }
    if (subscription.publishTimeoutMs < 100) {
      r.problem(
        'SUBSCRIPTION_PUBLISH_TIMEOUT',
        `must be at least 100ms, got ${subscription.publishTimeoutMs} ms`,
      );
    }
    // NODE_ENV: `production` selects the production posture (the container image sets it).
    const posture: Posture = r.optionalString('NODE_ENV') === 'production' ? 'production' : 'development';
    const grpc = readGrpcSettings(r, posture, service.http);
    if (grpc.port !== 0 && grpc.port === service.http.port) {
      r.problem('SUBSCRIPTION_GRPC_PORT', `must differ from PORT (${service.http.port})`);
    }
    const secretKeys = readSecretKeys(r, (path) => readFileSync(path, 'utf8'));
    const auth = readAuthProtectionConfig(r);
    const portal = readPortalSettings(r);
    return { ...service, posture, subscription, auth, grpc, secretKeys, portal };
  });
}

/**
 * The gRPC listener. With TLS it binds `SUBSCRIPTION_GRPC_HOST` (default `HOST`). Plaintext binds
 * 127.0.0.1 by default in development and, in production, any interface but loopback only with
 * SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT=true, since credentials would cross it in clear.
 */
function readGrpcSettings(
  r: EnvReader,
  posture: Posture,
  http: { readonly host: string; readonly port: number },
): GrpcSettings {
  const tls = readGrpcTls(r);
  // SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT: serve plaintext gRPC on a non-loopback interface in
  // production (behind a proxy or mesh that encrypts); default false.
  const allowPlaintext = r.bool('SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT', false);
  // SUBSCRIPTION_GRPC_HOST: interface of the gRPC admin API; default: the value of HOST, but
  // 127.0.0.1 for plaintext in development.
  const host =
    r.optionalString('SUBSCRIPTION_GRPC_HOST') ??
    (tls === undefined && posture === 'development' ? LOOPBACK : http.host);
  // SUBSCRIPTION_GRPC_PORT: port of the gRPC admin API, 0 = a free port; default 50051, but 0 when
  // PORT is 0, so instances started on free HTTP ports (tests) do not compete for 50051.
  const port = r.int('SUBSCRIPTION_GRPC_PORT', {
    default: http.port === 0 ? 0 : DEFAULT_GRPC_PORT,
    min: 0,
    max: 65_535,
  });
  if (tls !== undefined && allowPlaintext) {
    r.problem(
      'SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT',
      'must not be set together with SUBSCRIPTION_GRPC_TLS_CERT_FILE',
    );
  }
  if (tls === undefined && posture === 'production' && !allowPlaintext && !isLoopback(host)) {
    r.problem(
      'SUBSCRIPTION_GRPC_TLS_CERT_FILE',
      `is required in production (NODE_ENV=production) for the gRPC admin API on ${host}: set it and ` +
        'SUBSCRIPTION_GRPC_TLS_KEY_FILE, bind SUBSCRIPTION_GRPC_HOST to loopback, or set ' +
        'SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT=true when a proxy or mesh in front encrypts the traffic',
    );
  }
  return { host, port, tls };
}

/** TLS files of the gRPC listener, read once; `undefined` when none is set. */
function readGrpcTls(r: EnvReader): GrpcTlsSettings | undefined {
  // SUBSCRIPTION_GRPC_TLS_CERT_FILE, SUBSCRIPTION_GRPC_TLS_KEY_FILE: PEM server certificate (chain)
  // and its private key; both or neither. Unset: plaintext.
  const certFile = r.optionalString('SUBSCRIPTION_GRPC_TLS_CERT_FILE');
  const keyFile = r.optionalString('SUBSCRIPTION_GRPC_TLS_KEY_FILE');
  // SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE: PEM CA bundle; when set, every client must present a
  // certificate that chains to it (mutual TLS). Needs the server certificate.
  const clientCaFile = r.optionalString('SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE');
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined) {
      r.problem(
        'SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE',
        'needs SUBSCRIPTION_GRPC_TLS_CERT_FILE and SUBSCRIPTION_GRPC_TLS_KEY_FILE: client certificates are checked over TLS only',
      );
    }
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    const [missing, present] =
      certFile === undefined
        ? ['SUBSCRIPTION_GRPC_TLS_CERT_FILE', 'SUBSCRIPTION_GRPC_TLS_KEY_FILE']
        : ['SUBSCRIPTION_GRPC_TLS_KEY_FILE', 'SUBSCRIPTION_GRPC_TLS_CERT_FILE'];
    r.problem(missing, `is required with ${present}: a server certificate needs its private key`);
    return undefined;
  }
  const cert = readPemFile(r, 'SUBSCRIPTION_GRPC_TLS_CERT_FILE', certFile, 'certificate');
  const key = readPemFile(r, 'SUBSCRIPTION_GRPC_TLS_KEY_FILE', keyFile, 'private key');
  const clientCa =
    clientCaFile === undefined
      ? undefined
      : readPemFile(r, 'SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE', clientCaFile, 'certificate');
  if (cert === undefined || key === undefined) return undefined;
  return { cert, key, clientCa };
}

const LOOPBACK = '127.0.0.1';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
