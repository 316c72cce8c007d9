import { join } from 'node:path';
import type { Options } from '@grpc/proto-loader';

/** Protobuf package of the admin API. */
export const ADMIN_PROTO_PACKAGE = 'hookline.admin.v1';

/**
 * Folder holding the `.proto` files. It sits in the project root, two levels above both `src/grpc`
 * and `dist/grpc`, so the sources (tests) and the built service read the same file.
 */
export const PROTO_ROOT = join(__dirname, '..', '..', 'proto');

/** `admin.proto`, relative to `PROTO_ROOT`. */
export const ADMIN_PROTO_FILE = 'hookline/admin/v1/admin.proto';

/**
 * How the server reads `admin.proto`; a client in JavaScript can use the same options to get the
 * same shapes: snake_case names as in the file, 64-bit integers as strings, enums by name, unset
 * fields at their defaults (messages `null`, `optional` fields absent so presence stays visible).
 */
export const ADMIN_PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};
