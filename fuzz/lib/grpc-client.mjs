// Calls to the gRPC admin API with request bytes as they are (a passthrough serialiser), and the
// codec that turns request objects into bytes with the service's own proto loader and options.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../../bench/lib/infra.mjs';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

/** The status names by code (`13` → `INTERNAL`). */
export const STATUS_NAMES = Object.fromEntries(
  Object.entries(grpc.status).map(([name, code]) => [code, name]),
);

/** Serialises request objects as the service reads them: `codec(service, method, object)` → Buffer. */
export function loadCodec() {
  // The built service's own file and loader options, so the fuzzer and the server agree on both.
  const proto = require(join(ROOT, 'apps', 'subscription', 'dist', 'grpc', 'admin-proto.js'));
  const definition = protoLoader.loadSync(
    join(proto.PROTO_ROOT, proto.ADMIN_PROTO_FILE),
    proto.ADMIN_PROTO_LOADER_OPTIONS,
  );
  return (service, method, object) => {
    const methods = definition[`${proto.ADMIN_PROTO_PACKAGE}.${service}`];
    if (!methods?.[method]) throw new Error(`admin.proto has no ${service}/${method}`);
    return methods[method].requestSerialize(object);
  };
}

/** A client for `address`; `call(path, bytes, authorization, deadlineMs)` resolves with the status. */
export function grpcClient(address) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  });
  const passthrough = (bytes) => bytes;
  return {
    /**
     * Resolves (never rejects) with `{ kind: 'answered', code, name, details, ms }`; a call not
     * answered within the deadline ends DEADLINE_EXCEEDED, which the checks count as a hang.
     * `authorization`: a list of values for the `authorization` metadata key.
     */
    call(path, bytes, authorization, deadlineMs) {
      const metadata = new grpc.Metadata();
      for (const value of authorization) metadata.add('authorization', value);
      const started = Date.now();
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          path,
          passthrough,
          passthrough,
          bytes,
          metadata,
          { deadline: Date.now() + deadlineMs },
          (error) => {
            const code = error ? error.code : grpc.status.OK;
            resolve({
              kind: 'answered',
              code,
              name: STATUS_NAMES[code] ?? String(code),
              details: error?.details ?? '',
              ms: Date.now() - started,
            });
          },
        );
      });
    },
    /** Resolves once the channel is connected, or rejects after `timeoutMs`. */
    ready(timeoutMs) {
      return new Promise((resolve, reject) =>
        client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
      );
    },
    close: () => client.close(),
  };
}

/** The `authorization` values a case's `auth` stands for. */
export function authorizationValues(auth, ctx, operator) {
  switch (auth) {
    case 'key':
      return [`Bearer ${ctx.apiKey}`];
    case 'admin':
      return [`Bearer ${ctx.adminToken}`];
    case 'missing':
      return [];
    case 'malformed':
      return ['Basic dXNlcjpwYXNz'];
    case 'wrong-key':
      return [`Bearer ${ctx.apiKey}x`];
    case 'lowercase-scheme':
      return [`bearer ${ctx.apiKey}`];
    case 'admin-for-tenant':
      return [operator ? `Bearer ${ctx.apiKey}` : `Bearer ${ctx.adminToken}`];
    default:
      throw new Error(`unknown auth ${auth}`);
  }
}
