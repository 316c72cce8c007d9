import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { RunningSubscriptionService } from '../src/main';
import { adminClient, adminPackage, callMetadata } from './support/admin-grpc.client';
import { type Json, startSubscription, type SubscriptionHarness } from './support/subscription.harness';

/**
 * Every service of the package (services load as client constructors, messages as plain objects). The
 * methods are enumerated from admin.proto, so a method added to it is covered without touching this file.
 */
const services = Object.entries(adminPackage)
  .filter(([, value]) => typeof value === 'function' && typeof value.service === 'object')
  .map(([name]) => name);

function grpcPort(harness: SubscriptionHarness): number {
  return (harness.service as RunningSubscriptionService).grpcPort;
}

/** Calls one method of `client` with an empty request; resolves with the error, or the answer. */
function callEmpty(
  client: grpc.Client,
  method: grpc.MethodDefinition<object, object>,
  metadata = new grpc.Metadata(),
): Promise<grpc.ServiceError | Json> {
  const options = { deadline: Date.now() + 20_000 };
  return new Promise((resolve, reject) => {
    if (method.requestStream) {
      reject(new Error(`${method.path} streams requests; add a way to call it here`));
    } else if (method.responseStream) {
      const stream = client.makeServerStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        {},
        metadata,
        options,
      );
      stream.on('data', () => undefined);
      stream.on('error', resolve);
      stream.on('end', () => resolve({ ended: true }));
    } else {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        {},
        metadata,
        options,
        (error, response) => resolve(error ?? response),
      );
    }
  });
}

describe('gRPC admin API security (real gRPC clients, Postgres and Kafka)', () => {
  describe('authentication', () => {
    let harness: SubscriptionHarness;
    const clients: grpc.Client[] = [];

    beforeAll(async () => {
      harness = await startSubscription();
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      await harness?.close();
    });

    it('finds the services of admin.proto', () => {
      expect(services).toEqual(
        expect.arrayContaining(['OperatorService', 'EndpointService', 'EventService', 'DeliveryService']),
      );
    });

    it('answers UNAUTHENTICATED to every method of every service called without credentials', async () => {
      const answers: Array<[string, number | 'answered']> = [];
      for (const service of services) {
        const Client = adminPackage[service];
        const client = adminClient(service, grpcPort(harness));
        clients.push(client);
        const methods = Object.values(Client.service) as Array<grpc.MethodDefinition<object, object>>;
        expect(methods.length).toBeGreaterThan(0);
        for (const method of methods) {
          const answer = await callEmpty(client, method);
          answers.push([
            method.path,
            answer instanceof Error ? (answer as grpc.ServiceError).code : 'answered',
          ]);
        }
      }
      expect(answers.length).toBeGreaterThanOrEqual(19);
      expect(answers).toEqual(answers.map(([path]) => [path, grpc.status.UNAUTHENTICATED]));
      // Nothing was created on the way.
      const [{ count }] = await harness.dataSource.query('SELECT count(*)::int AS count FROM tenants');
      expect(count).toBe(0);
    });
  });

  describe('TLS', () => {
    let dir: string;
    const pem = (name: string) => readFileSync(join(dir, name));

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'hookline-grpc-tls-'));
      issueCertificates(dir);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function operatorCall(harness: SubscriptionHarness, credentials: grpc.ChannelCredentials) {
      // The certificate names localhost (and 127.0.0.1); TLS sends a host name, not an address, as SNI.
      const client = new adminPackage.OperatorService(`127.0.0.1:${grpcPort(harness)}`, credentials, {
        'grpc.ssl_target_name_override': 'localhost',
      });
      try {
        return await callEmpty(
          client,
          adminPackage.OperatorService.service.CreateTenant,
          callMetadata(`Bearer ${harness.adminToken}`),
        );
      } finally {
        client.close();
      }
    }

    it('serves over TLS with the configured certificate and refuses plaintext clients', async () => {
      const harness = await startSubscription({
        SUBSCRIPTION_GRPC_TLS_CERT_FILE: join(dir, 'server.crt'),
        SUBSCRIPTION_GRPC_TLS_KEY_FILE: join(dir, 'server.key'),
      });
      try {
        const created = await operatorCall(harness, grpc.credentials.createSsl(pem('ca.crt')));
        // An empty name reaches the use case, which names the field: the call went through TLS.
        expect([created.code, created.details]).toEqual([
          grpc.status.INVALID_ARGUMENT,
          expect.stringContaining('name'),
        ]);

        const plaintext = await operatorCall(harness, grpc.credentials.createInsecure());
        expect(plaintext.code).toBe(grpc.status.UNAVAILABLE);
        // A client that does not trust the issuer does not connect either.
        const untrusted = await operatorCall(harness, grpc.credentials.createSsl(pem('other-ca.crt')));
        expect(untrusted.code).toBe(grpc.status.UNAVAILABLE);
      } finally {
        await harness.close();
      }
    });

    it('requires a client certificate from the configured CA when one is set', async () => {
      const harness = await startSubscription({
        SUBSCRIPTION_GRPC_TLS_CERT_FILE: join(dir, 'server.crt'),
        SUBSCRIPTION_GRPC_TLS_KEY_FILE: join(dir, 'server.key'),
        SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
      });
      try {
        const withoutCertificate = await operatorCall(harness, grpc.credentials.createSsl(pem('ca.crt')));
        expect(withoutCertificate.code).toBe(grpc.status.UNAVAILABLE);
        const foreignCertificate = await operatorCall(
          harness,
          grpc.credentials.createSsl(pem('ca.crt'), pem('other-client.key'), pem('other-client.crt')),
        );
        expect(foreignCertificate.code).toBe(grpc.status.UNAVAILABLE);

        const withCertificate = await operatorCall(
          harness,
          grpc.credentials.createSsl(pem('ca.crt'), pem('client.key'), pem('client.crt')),
        );
        expect(withCertificate.code).toBe(grpc.status.INVALID_ARGUMENT);
        const [{ count }] = await harness.dataSource.query('SELECT count(*)::int AS count FROM tenants');
        expect(count).toBe(0);
      } finally {
        await harness.close();
      }
    });
  });
});

/**
 * A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, and a second CA
 * with a client certificate of its own, made with the `openssl` command (Node cannot issue X.509
 * certificates).
 */
function issueCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name);
  for (const ca of ['ca', 'other-ca']) {
    key(`${ca}.key`);
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=Hookline test ${ca}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  }
  const issue = (name: string, ca: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  issue(
    'server',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', 'ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  issue('other-client', 'other-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
}
