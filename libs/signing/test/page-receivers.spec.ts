import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appmintVerifySignature,
  appmintVerifyWebhookSignature,
  hackmambaVerifyWebhookSignature,
} from '@hookline/testing';
import { signSha256Hex } from '../src';

/**
 * The receivers printed on the reference pages, copied verbatim (the Node.js ones live in @hookline/testing, the others in fixtures/), must accept what we
 * send and refuse tampered bodies and wrong secrets.
 */

const hackmamba = { verifyWebhookSignature: hackmambaVerifyWebhookSignature };
const appmint = {
  verifySignature: appmintVerifySignature,
  verifyWebhookSignature: appmintVerifyWebhookSignature,
};

interface Case {
  name: string;
  body: Buffer;
  secret: string;
  signature: string;
  expected: boolean;
}

const SECRET = 'your-webhook-secret';
const bodies = {
  ascii: Buffer.from(
    '{"id":"evt_1234567890","type":"user.created","created":1640995200,"data":{"object":"user","id":"user_123"}}',
  ),
  utf8: Buffer.from('{"id":"evt_1","type":"user.created","data":{"name":"Zoë","city":"東京","emoji":"🎉"}}'),
  empty: Buffer.from('{}'),
};

function tamper(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length - 2] ^= 0x01;
  return copy;
}

const cases: Case[] = [
  ...Object.entries(bodies).flatMap(([name, body]) => [
    { name: `${name} body`, body, secret: SECRET, signature: signSha256Hex(body, SECRET), expected: true },
    {
      name: `${name} body, whsec_ secret`,
      body,
      secret: 'whsec_3CI8jBI1Ew0O4SKqVvCiqrm3zwIHqWSH5FZ3fHl8yGA=',
      signature: signSha256Hex(body, 'whsec_3CI8jBI1Ew0O4SKqVvCiqrm3zwIHqWSH5FZ3fHl8yGA='),
      expected: true,
    },
    {
      name: `${name} body tampered`,
      body: tamper(body),
      secret: SECRET,
      signature: signSha256Hex(body, SECRET),
      expected: false,
    },
    {
      name: `${name} body, wrong secret`,
      body,
      secret: 'not-the-secret',
      signature: signSha256Hex(body, SECRET),
      expected: false,
    },
  ]),
  {
    name: 'non-ASCII secret',
    body: bodies.utf8,
    secret: 'sécret-🔑',
    signature: signSha256Hex(bodies.utf8, 'sécret-🔑'),
    expected: true,
  },
];

describe('Hackmamba page receiver (Express verifyWebhookSignature)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(hackmamba.verifyWebhookSignature(c.body, c.signature, c.secret)).toBe(c.expected);
  });
});

describe('Appmint page receivers (Node.js)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('verifySignature: %s', (_name, c) => {
    expect(appmint.verifySignature(c.body, c.signature, c.secret)).toBe(c.expected);
  });

  it.each(cases.map((c) => [c.name, c] as const))('verifyWebhookSignature: %s', (_name, c) => {
    expect(appmint.verifyWebhookSignature(c.body, c.signature, c.secret)).toBe(c.expected);
  });

  it('verifySignature throws rather than returning false on a header of the wrong length', () => {
    expect(() => appmint.verifySignature(bodies.ascii, 'sha256=test', SECRET)).toThrow(/same byte length/);
  });

  it('verifyWebhookSignature also accepts the body as a UTF-8 string, as its update(payload, "utf8") expects', () => {
    expect(
      appmint.verifyWebhookSignature(
        bodies.utf8.toString('utf8'),
        signSha256Hex(bodies.utf8, SECRET),
        SECRET,
      ),
    ).toBe(true);
  });
});

function available(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

const hasPython = available('python3', ['--version']);
const hasJava = available('java', ['-version']);

(hasPython ? describe : describe.skip)('Appmint page receiver (Python verify_signature)', () => {
  it('agrees on every case', () => {
    const input = cases
      .map((c) =>
        JSON.stringify({ payload_b64: c.body.toString('base64'), signature: c.signature, secret: c.secret }),
      )
      .join('\n');
    const run = spawnSync('python3', [join(__dirname, 'fixtures', 'appmint_receiver.py')], {
      input: `${input}\n`,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(cases.map((c) => String(c.expected)));
  });

  it('vectors.json is exactly what the Python generator computes', () => {
    const run = spawnSync('python3', [join(__dirname, 'vectors.generate.py'), '--stdout'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(readFileSync(join(__dirname, 'vectors.json'), 'utf8')));
  });
});

(hasJava ? describe : describe.skip)('Appmint page receiver (Java verifySignature)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-java-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function runJava(fileEncoding: string, selected: Case[]): string[] {
    const file = join(dir, `cases-${fileEncoding}.tsv`);
    const lines = selected.map((c) =>
      [c.body.toString('base64'), c.signature, Buffer.from(c.secret, 'utf8').toString('base64')].join('\t'),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = spawnSync(
      'java',
      [`-Dfile.encoding=${fileEncoding}`, join(__dirname, 'fixtures', 'AppmintReceiver.java'), file],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    return run.stdout.trim().split('\n');
  }

  it('agrees on every case when the JVM default charset is UTF-8', () => {
    expect(runJava('UTF-8', cases)).toEqual(cases.map((c) => String(c.expected)));
  });

  it('documents the page code’s charset pitfall: getBytes() with a Latin-1 default breaks non-ASCII bodies', () => {
    const utf8 = cases.find((c) => c.name === 'utf8 body') as Case;
    const ascii = cases.find((c) => c.name === 'ascii body') as Case;
    expect(runJava('ISO-8859-1', [ascii, utf8])).toEqual(['true', 'false']);
  });
});
