import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { parse } from 'protobufjs';
import type { Json } from './subscription.harness';

/** The folder of admin.proto and the files it imports. */
export const PROTO_DIR = join(__dirname, '..', '..', 'proto');

const definition = loadSync('hookline/admin/v1/admin.proto', {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loaded = grpc.loadPackageDefinition(definition) as any;

/** The services of hookline.admin.v1 as client constructors, built from admin.proto as any client's are. */
export const adminPackage = loaded.hookline.admin.v1 as Record<string, grpc.ServiceClientConstructor>;

/** A plaintext client of admin service `serviceName` on 127.0.0.1:`port`. */
export function adminClient(serviceName: string, port: number): grpc.Client {
  return new adminPackage[serviceName](`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** Call metadata with `authorization` (none when undefined) and any further `entries`. */
export function callMetadata(
  authorization: string | undefined,
  entries: Record<string, string> = {},
): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/** A unary method of a generated client. */
type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: Json) => void,
) => void;

/** Calls unary `method` of `client`; resolves with the response, rejects with the gRPC error. */
export function callUnary(
  client: grpc.Client,
  method: string,
  request: object,
  metadata: grpc.Metadata,
): Promise<Json> {
  const unary = (client as unknown as Record<string, UnaryMethod>)[method].bind(client);
  return new Promise((resolve, reject) =>
    unary(request, metadata, { deadline: Date.now() + 20_000 }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

/** Resolves with the error `call` fails with; rejects when it succeeds. */
export async function grpcFailure(call: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

// google/rpc/status.proto and error_details.proto, as far as the tests read the details of an error.
const rpcTypes = parse(
  `syntax = "proto3";
   package google.rpc;
   message Any { string type_url = 1; bytes value = 2; }
   message Duration { int64 seconds = 1; int32 nanos = 2; }
   message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
   message RetryInfo { Duration retry_delay = 1; }
   message BadRequest {
     message FieldViolation { string field = 1; string description = 2; }
     repeated FieldViolation field_violations = 1;
   }`,
  { keepCase: true },
).root;

/** The google.rpc.Status `error` carries in its `grpc-status-details-bin` trailer, as JSON. */
export function rpcStatus(error: grpc.ServiceError): Json {
  const [bytes] = error.metadata.get('grpc-status-details-bin');
  return rpcTypes
    .lookupType('google.rpc.Status')
    .decode(bytes as Buffer)
    .toJSON();
}

/** One detail of an rpcStatus (a JSON google.rpc.Any) decoded as google.rpc.`type`, as JSON. */
export function rpcDetail(detail: Json, type: 'BadRequest' | 'RetryInfo'): Json {
  return rpcTypes.lookupType(`google.rpc.${type}`).decode(Buffer.from(detail.value, 'base64')).toJSON();
}
