#!/usr/bin/env python3
"""Writes vectors.json next to this file, computing every expected signature with Python's hmac.

Kept separate from the TypeScript implementation on purpose: the vectors are an independent
computation, so the TypeScript tests check real agreement instead of echoing their own output.
Run `python3 vectors.generate.py` to rewrite the file, `--stdout` to print it instead.
"""
import base64
import hashlib
import hmac
import json
import pathlib
import sys

PLAIN_SECRET = "your-webhook-secret"
WHSEC_SECRET = "whsec_3CI8jBI1Ew0O4SKqVvCiqrm3zwIHqWSH5FZ3fHl8yGA="
NON_ASCII_BODY = '{"name":"Zoë Ünïcødé","city":"東京","emoji":"🎉","note":"naïve café — “quotes”"}'

CASES = [
    {
        "name": "hackmamba-page-event",
        "secret": PLAIN_SECRET,
        "body": '{"id":"evt_1234567890","type":"user.created","created":1640995200,"data":{"object":"user",'
        '"id":"user_123","name":"John Doe","email":"john@example.com"},"livemode":false,"pending_webhooks":1,'
        '"request":{"id":"req_1234567890"}}',
        "msg_id": "evt_1234567890",
        "timestamp": 1640995200,
    },
    {
        "name": "appmint-page-event",
        "secret": PLAIN_SECRET,
        "body": '{"id":"evt_1234567890abcdef","type":"user.created","created":"2024-01-15T10:30:00Z",'
        '"api_version":"2024-01-01","data":{"id":"user_abc123","email":"user@example.com","name":"John Doe",'
        '"created_at":"2024-01-15T10:30:00Z","metadata":{"source":"signup_form","utm_campaign":"winter_2024"}},'
        '"previous_attributes":{},"request":{"id":"req_xyz789","idempotency_key":"key_unique_123"},"livemode":true}',
        "msg_id": "evt_1234567890abcdef",
        "timestamp": 1705314600,
    },
    {
        # The example the Standard Webhooks reference libraries test against; its published signature is
        # v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
        "name": "standard-webhooks-reference",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "body": '{"test": 2432232314}',
        "msg_id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "timestamp": 1614265330,
    },
    {
        "name": "empty-object-plain-secret",
        "secret": PLAIN_SECRET,
        "body": "{}",
        "msg_id": "evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0",
        "timestamp": 1705314600,
    },
    {
        "name": "empty-object-whsec-secret",
        "secret": WHSEC_SECRET,
        "body": "{}",
        "msg_id": "evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0",
        "timestamp": 1705314600,
    },
    {
        "name": "utf8-body-whsec-secret",
        "secret": WHSEC_SECRET,
        "body": NON_ASCII_BODY,
        "msg_id": "evt_01HMA6Z4K4A0B1C2D3E4F5G6H7",
        "timestamp": 1705314601,
    },
    {
        "name": "utf8-body-plain-secret",
        "secret": PLAIN_SECRET,
        "body": NON_ASCII_BODY,
        "msg_id": "evt_01HMA6Z4K4A0B1C2D3E4F5G6H7",
        "timestamp": 1705314601,
    },
    {
        "name": "utf8-secret",
        "secret": "sécret-ключ-🔑",
        "body": NON_ASCII_BODY,
        "msg_id": "evt_01HMA6Z4K4A0B1C2D3E4F5G6H7",
        "timestamp": 1705314601,
    },
    {
        "name": "pretty-printed-body",
        "secret": WHSEC_SECRET,
        "body": '{\n  "id": "evt_1234567890",\n  "type": "user.created",\n  "data": { "id": "user_123" }\n}\n',
        "msg_id": "evt_1234567890",
        "timestamp": 1705314602,
    },
    {
        "name": "empty-body",
        "secret": PLAIN_SECRET,
        "body": "",
        "msg_id": "evt_1234567890",
        "timestamp": 1705314603,
    },
]


def standard_webhooks_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):], validate=True)
    return secret.encode("utf-8")


def expected(case: dict) -> dict:
    body = case["body"].encode("utf-8")
    sha256 = hmac.new(case["secret"].encode("utf-8"), body, hashlib.sha256).hexdigest()
    to_sign = f'{case["msg_id"]}.{case["timestamp"]}.'.encode("utf-8") + body
    mac = hmac.new(standard_webhooks_key(case["secret"]), to_sign, hashlib.sha256).digest()
    return {"sha256": f"sha256={sha256}", "webhook_signature": "v1," + base64.b64encode(mac).decode("ascii")}


def render() -> str:
    vectors = [{**case, "expected": expected(case)} for case in CASES]
    return json.dumps(vectors, ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    text = render()
    if "--stdout" in sys.argv:
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        (pathlib.Path(__file__).parent / "vectors.json").write_text(text, encoding="utf-8")
