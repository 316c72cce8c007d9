/**
 * Receiver code shown on the "Verify signatures" page, for Node.js, Python and Go; `prefix` is the
 * deployment's branded header prefix (`X-Hookline`). Each verifies `webhook-signature` (Standard
 * Webhooks) and the branded `<prefix>-Signature` over the raw body.
 */
export const node = (
  prefix: string,
) => `// Node.js 18+, no dependencies. Pass the raw body: verify the bytes as received.
import { createHmac, timingSafeEqual } from 'node:crypto';

const secret = process.env.WEBHOOK_SECRET; // whsec_… as shown when the endpoint was created
const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
const TOLERANCE_SECONDS = 5 * 60;

export function verify(headers, rawBody /* Buffer */) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = String(headers['webhook-signature'] ?? '').split(' ');
  if (!id || !timestamp) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', key).update(\`\${id}.\${timestamp}.\`).update(rawBody).digest();
  // During a rotation the header carries one signature per secret: any valid one is enough.
  return signatures.some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

// The simpler ${prefix}-Signature header: sha256=<hex HMAC-SHA256 of the body, keyed with the secret's text>.
export function verifyHex(headers, rawBody) {
  const expected = 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
  const given = String(headers['${prefix.toLowerCase()}-signature'] ?? '');
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

// Express: app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) =>
//   verify(req.headers, req.body) ? res.sendStatus(204) : res.sendStatus(400));
`;

export const python = (prefix: string) => `# Python 3.8+, standard library only. Pass the raw body bytes.
import base64, hashlib, hmac, os, time

SECRET = os.environ["WEBHOOK_SECRET"]  # whsec_… as shown when the endpoint was created
KEY = base64.b64decode(SECRET[len("whsec_"):]) if SECRET.startswith("whsec_") else SECRET.encode()
TOLERANCE_SECONDS = 5 * 60


def verify(headers, raw_body: bytes) -> bool:
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    if not msg_id or not timestamp:
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + raw_body
    expected = base64.b64encode(hmac.new(KEY, signed, hashlib.sha256).digest()).decode()
    # During a rotation the header carries one signature per secret: any valid one is enough.
    for entry in headers.get("webhook-signature", "").split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


def verify_hex(headers, raw_body: bytes) -> bool:
    """The ${prefix}-Signature header: sha256=<hex HMAC-SHA256 of the body, keyed with the secret's text>."""
    expected = "sha256=" + hmac.new(SECRET.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("${prefix}-Signature", ""), expected)

# Flask: verify(request.headers, request.get_data())
`;

export const go = (
  prefix: string,
) => `// Go, standard library only. Read the raw body before anything parses it.
package webhooks

import (
\t"crypto/hmac"
\t"crypto/sha256"
\t"encoding/base64"
\t"encoding/hex"
\t"math"
\t"net/http"
\t"strconv"
\t"strings"
\t"time"
)

const tolerance = 5 * time.Minute

func key(secret string) []byte {
\tif strings.HasPrefix(secret, "whsec_") {
\t\tif b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_")); err == nil {
\t\t\treturn b
\t\t}
\t}
\treturn []byte(secret)
}

// Verify checks the webhook-signature header (Standard Webhooks).
func Verify(secret string, h http.Header, body []byte) bool {
\tid, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
\tseconds, err := strconv.ParseInt(ts, 10, 64)
\tif id == "" || err != nil || math.Abs(time.Since(time.Unix(seconds, 0)).Seconds()) > tolerance.Seconds() {
\t\treturn false
\t}
\tmac := hmac.New(sha256.New, key(secret))
\tmac.Write([]byte(id + "." + ts + "."))
\tmac.Write(body)
\texpected := mac.Sum(nil)
\t// During a rotation the header carries one signature per secret: any valid one is enough.
\tfor _, entry := range strings.Split(h.Get("webhook-signature"), " ") {
\t\tversion, signature, _ := strings.Cut(entry, ",")
\t\tgiven, err := base64.StdEncoding.DecodeString(signature)
\t\tif version == "v1" && err == nil && hmac.Equal(given, expected) {
\t\t\treturn true
\t\t}
\t}
\treturn false
}

// VerifyHex checks ${prefix}-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the secret's text>.
func VerifyHex(secret string, h http.Header, body []byte) bool {
\tmac := hmac.New(sha256.New, []byte(secret))
\tmac.Write(body)
\texpected := "sha256=" + hex.EncodeToString(mac.Sum(nil))
\treturn hmac.Equal([]byte(h.Get("${prefix}-Signature")), []byte(expected))
}
`;
