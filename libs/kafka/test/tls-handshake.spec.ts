// The TLS handshake a client built from KAFKA_SSL_* settings makes: which CA it trusts and which
// certificate it presents. Only the handshake is under test, so the peer is a plain TLS server that
// records it and hangs up; the Kafka protocol on top is covered by the tests on the real broker.
import { readConfig } from '@hookline/config';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConnection, readKafkaConfig } from '../src';

let dir: string;
const path = (name: string) => join(dir, name);

/** A CA, and a certificate signed by it for `cn` (with `san` as subjectAltName when given). */
function issue(ca: string, cn: string, san?: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-new', ...ec, '-keyout', `${cn}.key`, '-out', `${cn}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(path(`${cn}.ext`), san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl(
    'x509',
    '-req',
    '-in',
    `${cn}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${cn}.ext`,
    '-out',
    `${cn}.crt`,
  );
}

function newCa(name: string): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
    ]),
    { cwd: dir, stdio: 'pipe' },
  );
}

interface Handshakes {
  /** Common names of the client certificates the server accepted. */
  readonly clients: string[];
  /** Handshakes that failed, as the server saw them. */
  readonly failures: string[];
}

async function tlsServer(): Promise<{ server: Server; port: number; seen: Handshakes }> {
  const seen: Handshakes = { clients: [], failures: [] };
  const server = createServer(
    {
      key: readFileSync(path('broker.key')),
      cert: readFileSync(path('broker.crt')),
      ca: [readFileSync(path('cluster-ca.crt'))],
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket: TLSSocket) => {
      seen.clients.push(String(socket.getPeerCertificate().subject.CN));
      socket.destroy();
    },
  );
  server.on('tlsClientError', (error) => seen.failures.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

/** Connects an admin client configured from `env`; returns its error once the server hung up on it. */
async function connect(port: number, env: Record<string, string>): Promise<unknown> {
  const config = readConfig({ KAFKA_BROKERS: `127.0.0.1:${port}`, ...env }, (r) =>
    readKafkaConfig(r, { clientId: 'hookline-test' }),
  );
  // As the readiness probe builds its client: the service's connection settings, no retries.
  const kafka = new Kafka({
    ...kafkaConnection(config),
    clientId: 'hookline-test',
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-kafka-tls-'));
  newCa('cluster-ca');
  newCa('other-ca');
  issue('cluster-ca', 'broker', 'IP:127.0.0.1,DNS:localhost');
  issue('cluster-ca', 'hookline-ingest');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Kafka client over TLS', () => {
  it('trusts the CA bundle and presents its client certificate (mutual TLS)', async () => {
    const { server, port, seen } = await tlsServer();
    try {
      await connect(port, {
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: path('cluster-ca.crt'),
        KAFKA_SSL_CERT_FILE: path('hookline-ingest.crt'),
        KAFKA_SSL_KEY_FILE: path('hookline-ingest.key'),
      });
    } finally {
      server.close();
    }
    expect(seen).toEqual({ clients: ['hookline-ingest'], failures: [] });
  });

  it('refuses a broker whose certificate does not chain to the CA bundle', async () => {
    const { server, port, seen } = await tlsServer();
    let error: unknown;
    try {
      error = await connect(port, {
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: path('other-ca.crt'),
        KAFKA_SSL_CERT_FILE: path('hookline-ingest.crt'),
        KAFKA_SSL_KEY_FILE: path('hookline-ingest.key'),
      });
    } finally {
      server.close();
    }
    expect(String(error)).toMatch(/certificate/i);
    expect(seen.clients).toEqual([]);
  });

  it('is refused by a broker that requires a client certificate when it has none', async () => {
    const { server, port, seen } = await tlsServer();
    try {
      await connect(port, { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: path('cluster-ca.crt') });
    } finally {
      server.close();
    }
    expect(seen.clients).toEqual([]);
    expect(seen.failures).toEqual([expect.stringMatching(/certificate/i)]);
  });
});
