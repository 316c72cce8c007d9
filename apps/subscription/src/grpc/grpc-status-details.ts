import { Metadata } from '@grpc/grpc-js';
import { Root } from 'protobufjs';
import type { FieldError } from '../errors/domain.errors';

/** Trailer in which gRPC carries a `google.rpc.Status` with error details (the gRPC "richer error model"). */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

/** `type_url` of a `google.rpc.BadRequest` packed in a `google.protobuf.Any`. */
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

/** `type_url` of a `google.rpc.RetryInfo` packed in a `google.protobuf.Any`. */
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

// The few messages of googleapis' google/rpc/status.proto and error_details.proto (and of
// google/protobuf/any.proto and duration.proto) that the details use, with their official names and field numbers, so any
// client with the googleapis definitions decodes them.
const root = Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
            BadRequest: {
              fields: { field_violations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
              nested: {
                FieldViolation: {
                  fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } },
                },
              },
            },
          },
        },
      },
    },
  },
});
const StatusType = root.lookupType('google.rpc.Status');
const BadRequestType = root.lookupType('google.rpc.BadRequest');
const RetryInfoType = root.lookupType('google.rpc.RetryInfo');

/**
 * Trailers carrying a `google.rpc.Status` whose details hold one `google.rpc.BadRequest` field
 * violation per invalid field.
 */
export function badRequestTrailers(code: number, message: string, fields: readonly FieldError[]): Metadata {
  const badRequest = BadRequestType.encode(
    BadRequestType.fromObject({
      field_violations: fields.map((field) => ({ field: field.field, description: field.message })),
    }),
  ).finish();
  return statusTrailers(code, message, BAD_REQUEST_TYPE_URL, badRequest);
}

/**
 * Trailers carrying a `google.rpc.Status` whose details hold one `google.rpc.RetryInfo`: how long the
 * caller should wait before trying again.
 */
export function retryInfoTrailers(code: number, message: string, retryAfterSeconds: number): Metadata {
  const retryInfo = RetryInfoType.encode(
    RetryInfoType.fromObject({ retry_delay: { seconds: retryAfterSeconds, nanos: 0 } }),
  ).finish();
  return statusTrailers(code, message, RETRY_INFO_TYPE_URL, retryInfo);
}

function statusTrailers(code: number, message: string, typeUrl: string, detail: Uint8Array): Metadata {
  const status = StatusType.encode(
    StatusType.fromObject({ code, message, details: [{ type_url: typeUrl, value: detail }] }),
  ).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_TRAILER, Buffer.from(status));
  return metadata;
}
