import { Metadata } from '@grpc/grpc-js';
import { Root } from 'protobufjs';
import type { FieldError } from '../errors/domain.errors';

/** Trailer in which gRPC carries a `google.rpc.Status` with error details (the gRPC "richer error model"). */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

/** `type_url` of a `google.rpc.BadRequest` packed in a `google.protobuf.Any`. */
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

// The few messages of googleapis' google/rpc/status.proto and error_details.proto (and of
// google/protobuf/any.proto) that the details use, with their official names and field numbers, so any
// client with the googleapis definitions decodes them.
const root = Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
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
  const status = StatusType.encode(
    StatusType.fromObject({
      code,
      message,
      details: [{ type_url: BAD_REQUEST_TYPE_URL, value: badRequest }],
    }),
  ).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_TRAILER, Buffer.from(status));
  return metadata;
}
