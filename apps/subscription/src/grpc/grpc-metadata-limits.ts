import type { GrpcFailure } from './grpc-error.mapper';

/**
 * Most characters of a status message. Messages may echo input (`No such tenant: <id>`), and the
 * message travels as a header (`grpc-message`, and again inside `grpc-status-details-bin`): a 120 KB
 * id would make a header block that clients refuse as a protocol error, taking every other call on
 * the connection down with it. gRPC implementations commonly accept 8 KiB of metadata in all.
 */
export const MAX_STATUS_MESSAGE_CHARS = 500;
/** Most field violations sent; the message still counts them all. */
export const MAX_FIELD_VIOLATIONS = 10;
/** Most characters of a violation's field path, and of its description. */
export const MAX_VIOLATION_CHARS = 200;

/** `failure` with its message and field violations cut to what fits in gRPC metadata. */
export function withinMetadataLimits(failure: GrpcFailure): GrpcFailure {
  const message = cut(failure.message, MAX_STATUS_MESSAGE_CHARS);
  if (failure.kind !== 'expected' || failure.fields === undefined) return { ...failure, message };
  const fields = failure.fields.slice(0, MAX_FIELD_VIOLATIONS).map((violation) => ({
    field: cut(violation.field, MAX_VIOLATION_CHARS),
    message: cut(violation.message, MAX_VIOLATION_CHARS),
  }));
  return { ...failure, message, fields };
}

function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let kept = text.slice(0, limit - 1);
  // Cutting between the halves of a pair would leave half a pair.
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}…`;
}
