import { type Server, ServerCredentials } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { type MessageHandler, ServerGrpc } from '@nestjs/microservices';
import { join } from 'node:path';
import type { GrpcSettings, GrpcTlsSettings } from '../config';
import { ADMIN_PROTO_FILE, ADMIN_PROTO_LOADER_OPTIONS, ADMIN_PROTO_PACKAGE, PROTO_ROOT } from './admin-proto';
import { GrpcCallerGate } from './grpc-caller.authenticator';
import { MalformedTolerantServer, refusingMalformedMessages } from './malformed-request';
import { refusingUnstorableText } from './storable-request';

// Larger than any answer the API gives (a page holds at most 100 items); refuses runaway requests.
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The NestJS gRPC server with three additions. It listens with TLS when configured. It remembers the
 * port it bound: with port 0 the system picks a free one, callers (tests, logs) need to know which,
 * and the framework's own server drops it. And before any method runs it authenticates the caller
 * (`GrpcCallerGate`), then refuses requests whose bytes do not decode as the method's request
 * message, and requests holding text PostgreSQL cannot store.
 */
export class PortReportingGrpcServer extends ServerGrpc {
  private port: number | undefined;

  constructor(
    private readonly settings: GrpcSettings,
    private readonly gate: GrpcCallerGate,
  ) {
    super({
      url: `${hostForUrl(settings.host)}:${settings.port}`,
      package: ADMIN_PROTO_PACKAGE,
      protoPath: join(PROTO_ROOT, ADMIN_PROTO_FILE),
      loader: ADMIN_PROTO_LOADER_OPTIONS,
      // In-flight calls finish on shutdown instead of being cut off.
      gracefulShutdown: true,
    });
  }

  // Every method's handler passes through here, so no controller can miss the checks, authentication
  // first. (Global guards of the gRPC application would be the usual place, but the controllers are
  // wired when it is connected, before any could be registered.)
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler?: boolean): void {
    const checked = refusingMalformedMessages(refusingUnstorableText(callback));
    super.addHandler(pattern, this.gate.guard(pattern, checked), isEventHandler);
  }

  /** The port bound; only once the server listens. */
  get boundPort(): number {
    if (this.port === undefined) throw new Error('the gRPC server is not listening yet');
    return this.port;
  }

  override async createClient(): Promise<Server> {
    const server = new MalformedTolerantServer({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.url, serverCredentials(this.settings.tls), (error, port) =>
        // grpc-js says only "No address added"; the address tells an operator which setting to fix.
        error
          ? reject(new Error(`gRPC admin API cannot listen on ${this.url}: ${error.message}`))
          : resolve(port),
      ),
    );
    return server;
  }

  /** How callers connect: `plaintext`, `TLS`, or `TLS, client certificates required`. */
  describeTransport(): string {
    const tls = this.settings.tls;
    if (tls === undefined) return 'plaintext';
    return tls.clientCa === undefined ? 'TLS' : 'TLS, client certificates required';
  }

  /** Where the server listens, as `host:port`. */
  describeAddress(): string {
    return `${hostForUrl(this.settings.host)}:${this.boundPort}`;
  }
}

/**
 * Serves the gRPC admin API next to HTTP (a hybrid application) and returns the server once it
 * listens. The application closes it with everything else.
 */
export async function startGrpcAdminApi(
  app: INestApplication,
  settings: GrpcSettings,
): Promise<PortReportingGrpcServer> {
  const server = new PortReportingGrpcServer(settings, app.get(GrpcCallerGate));
  // inheritAppConfig off: the REST exception filter speaks HTTP; each gRPC controller names its own.
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
  await app.startAllMicroservices();
  return server;
}

/**
 * TLS with the configured certificate; with a client CA, a client must present a certificate that
 * chains to it (the handshake fails otherwise). Plaintext without TLS settings.
 */
function serverCredentials(tls: GrpcTlsSettings | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa === undefined ? null : Buffer.from(tls.clientCa),
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    tls.clientCa !== undefined,
  );
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
