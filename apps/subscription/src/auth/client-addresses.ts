import { isIP } from 'node:net';
import type { Metadata } from '@grpc/grpc-js';
import type { TrustedProxies } from '@hookline/tenancy';
import type { Request } from 'express';

/**
 * Tells the address a call comes from, for the brake on failed authentications: the peer, or the
 * client a trusted proxy (`AUTH_TRUSTED_PROXIES`) names in `X-Forwarded-For`.
 */
export class ClientAddresses {
  constructor(private readonly proxies: TrustedProxies) {}

  /** The client of an HTTP request. */
  ofHttp(request: Request): string | undefined {
    return this.proxies.clientAddress(request.socket.remoteAddress, request.get('x-forwarded-for'));
  }

  /** The client of a gRPC call, from its peer (`host:port`) and metadata. */
  ofGrpc(peer: string, metadata: Metadata): string | undefined {
    const forwarded = metadata.get('x-forwarded-for');
    const forwardedFor = forwarded.length > 0 ? forwarded.map(String).join(',') : undefined;
    return this.proxies.clientAddress(peerAddress(peer), forwardedFor);
  }
}

// grpc-js reports the peer as `<address>:<port>`, IPv6 addresses unbracketed.
function peerAddress(peer: string): string | undefined {
  const colon = peer.lastIndexOf(':');
  const address = (colon > 0 ? peer.slice(0, colon) : peer).replace(/^\[|\]$/g, '');
  return isIP(address) === 0 ? undefined : address;
}
