import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * HMAC keys as `KeyObject`s, made once per secret. Node checks and copies a `Buffer` key on every
 * `createHmac`, which costs several times the HMAC itself for a webhook-sized body; a dispatcher
 * signs with the same few secrets thousands of times a second. Bounded, so rotating secrets cannot
 * grow it without limit; when full it starts over (the keys are cheap to make again).
 */
export class HmacKeyCache {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly derive: (secret: string) => Buffer,
    private readonly maxEntries = 10_000,
  ) {}

  /** The key of `secret`; `derive` errors (empty or malformed secrets) propagate every time. */
  get(secret: string): KeyObject {
    let key = this.keys.get(secret);
    if (!key) {
      key = createSecretKey(this.derive(secret));
      if (this.keys.size >= this.maxEntries) this.keys.clear();
      this.keys.set(secret, key);
    }
    return key;
  }
}
