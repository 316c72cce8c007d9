import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signSha256Hex, signStandardWebhooks } from '@hookline/signing';
import { go, node, python } from '../src/verify-snippets';

/**
 * The receiver code the portal shows must accept what Hookline sends and refuse anything else: each
 * snippet runs here (Node.js; Python where python3 is installed; Go where go is) on deliveries signed
 * by the project's own signer with the golden vectors' secrets and bodies, and on tampered ones.
 */
const PREFIX = 'X-Hookline';
const vectors = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'libs', 'signing', 'test', 'vectors.json'), 'utf8'),
) as Array<{ name: string; secret: string; body: string; msg_id: string }>;

interface Case {
  name: string;
  secret: string;
  headers: Record<string, string>;
  body: string;
  valid: boolean;
}

/** Deliveries signed now: as sent, with a tampered body, and signed with both secrets of a rotation. */
function cases(): Case[] {
  const now = Math.floor(Date.now() / 1000);
  return vectors.flatMap((v) => {
    const body = Buffer.from(v.body);
    const headers = (secrets: string[]) => ({
      ...signStandardWebhooks({ id: v.msg_id, timestamp: now, body, secrets }),
      [`${PREFIX}-Signature`.toLowerCase()]: signSha256Hex(body, secrets[0]),
    });
    const other = 'another-secret-0123456789';
    return [
      {
        name: `${v.name} as sent`,
        secret: v.secret,
        headers: headers([v.secret]),
        body: v.body,
        valid: true,
      },
      {
        name: `${v.name} tampered`,
        secret: v.secret,
        headers: headers([v.secret]),
        body: `${v.body} `,
        valid: false,
      },
      {
        name: `${v.name} other secret`,
        secret: other,
        headers: headers([v.secret]),
        body: v.body,
        valid: false,
      },
      // During a rotation the old secret still verifies `webhook-signature` (the new one signs the branded header).
      {
        name: `${v.name} rotation, old secret`,
        secret: v.secret,
        headers: headers([other, v.secret]),
        body: v.body,
        valid: true,
      },
    ];
  });
}

/** Runs `program` with the cases on stdin; it prints `[verify, verifyHex]` per case as JSON. */
function runEach(
  command: string,
  args: string[],
  dir: string,
  all: Case[],
  env: NodeJS.ProcessEnv = process.env,
): Array<[boolean, boolean]> {
  const result = spawnSync(command, args, { cwd: dir, input: JSON.stringify(all), encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Array<[boolean, boolean]>;
}

describe('signature verification code shown in the portal', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portal-snippets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the Node.js receiver accepts real deliveries and refuses tampered or foreign ones', () => {
    writeFileSync(join(dir, 'receiver.mjs'), node(PREFIX));
    writeFileSync(
      join(dir, 'run.mjs'),
      `const all = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const out = [];
for (const c of all) {
  process.env.WEBHOOK_SECRET = c.secret;
  const { verify, verifyHex } = await import('./receiver.mjs?' + out.length);
  out.push([verify(c.headers, Buffer.from(c.body)), verifyHex(c.headers, Buffer.from(c.body))]);
}
console.log(JSON.stringify(out));
`.replace("require('node:fs')", "(await import('node:fs'))"),
    );
    const all = cases();
    const results = runEach(process.execPath, ['run.mjs'], dir, all);
    all.forEach((c, i) => {
      expect({ name: c.name, verify: results[i][0] }).toEqual({ name: c.name, verify: c.valid });
      const hexValid = c.valid && !c.name.includes('rotation');
      expect({ name: c.name, verifyHex: results[i][1] }).toEqual({ name: c.name, verifyHex: hexValid });
    });
  });

  const hasPython = spawnSync('python3', ['--version']).status === 0;
  (hasPython ? it : it.skip)(
    'the Python receiver accepts real deliveries and refuses tampered or foreign ones',
    () => {
      writeFileSync(
        join(dir, 'run.py'),
        `import json, os, sys

class Headers(dict):
    """Case-insensitive, as web frameworks give request headers."""
    def get(self, name, default=None):
        return next((v for k, v in self.items() if k.lower() == name.lower()), default)

out = []
for c in json.load(sys.stdin):
    os.environ["WEBHOOK_SECRET"] = c["secret"]
    scope = {}
    exec(open("receiver.py").read(), scope)
    headers = Headers(c["headers"])
    body = c["body"].encode()
    out.append([scope["verify"](headers, body), scope["verify_hex"](headers, body)])
print(json.dumps(out))
`,
      );
      writeFileSync(join(dir, 'receiver.py'), python(PREFIX));
      const all = cases();
      const results = runEach('python3', ['run.py'], dir, all);
      all.forEach((c, i) => {
        expect({ name: c.name, verify: results[i][0] }).toEqual({ name: c.name, verify: c.valid });
        const hexValid = c.valid && !c.name.includes('rotation');
        expect({ name: c.name, verifyHex: results[i][1] }).toEqual({ name: c.name, verifyHex: hexValid });
      });
    },
  );

  // Go is optional here, as Python is: without it the test is skipped and says so in its name.
  const hasGo = spawnSync('go', ['version']).status === 0;
  (hasGo ? it : it.skip)(
    hasGo
      ? 'the Go receiver accepts real deliveries and refuses tampered or foreign ones'
      : 'the Go receiver accepts real deliveries (skipped: no `go` on PATH; install Go to run it)',
    () => {
      const module = join(dir, 'go');
      mkdirSync(join(module, 'webhooks'), { recursive: true });
      writeFileSync(join(module, 'go.mod'), 'module example.com/receiver\n\ngo 1.18\n');
      writeFileSync(join(module, 'webhooks', 'webhooks.go'), go(PREFIX));
      writeFileSync(
        join(module, 'main.go'),
        `package main

import (
\t"encoding/json"
\t"fmt"
\t"net/http"
\t"os"

\t"example.com/receiver/webhooks"
)

type testCase struct {
\tSecret  string            \`json:"secret"\`
\tHeaders map[string]string \`json:"headers"\`
\tBody    string            \`json:"body"\`
}

func main() {
\tvar all []testCase
\tif err := json.NewDecoder(os.Stdin).Decode(&all); err != nil {
\t\tpanic(err)
\t}
\tout := [][2]bool{}
\tfor _, c := range all {
\t\th := http.Header{}
\t\tfor name, value := range c.Headers {
\t\t\th.Set(name, value)
\t\t}
\t\tbody := []byte(c.Body)
\t\tout = append(out, [2]bool{webhooks.Verify(c.Secret, h, body), webhooks.VerifyHex(c.Secret, h, body)})
\t}
\tencoded, _ := json.Marshal(out)
\tfmt.Println(string(encoded))
}
`,
      );
      const all = cases();
      // A toolchain of its own is never fetched: the snippet must build with the Go installed.
      const results = runEach('go', ['run', '.'], module, all, {
        ...process.env,
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=mod',
      });
      all.forEach((c, i) => {
        expect({ name: c.name, verify: results[i][0] }).toEqual({ name: c.name, verify: c.valid });
        const hexValid = c.valid && !c.name.includes('rotation');
        expect({ name: c.name, verifyHex: results[i][1] }).toEqual({ name: c.name, verifyHex: hexValid });
      });
    },
    120_000,
  );
});
