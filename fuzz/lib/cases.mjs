// Which case a (seed, index) pair stands for.
import { grpcCase } from './grpc-cases.mjs';
import { httpCase } from './http-cases.mjs';
import { caseRandom } from './random.mjs';

/** Share of the cases that are gRPC calls; the rest are HTTP requests, ingest and REST alike. */
export const GRPC_SHARE = 0.25;

/**
 * Case `index` of the run seeded `seed`: the same pair always gives the same request, given the same
 * run context (`ctx`: ids and credentials) and codec.
 */
export function generateCase(seed, index, ctx, codec) {
  const r = caseRandom(seed, index);
  return r.chance(GRPC_SHARE) ? grpcCase(r, ctx, codec) : httpCase(r, ctx);
}
