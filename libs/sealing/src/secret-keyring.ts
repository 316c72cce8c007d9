import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';

/** Bytes of an AES-256 key. */
export const SECRET_KEY_BYTES = 32;

/** What a key id may hold: it is written into every sealed value, between `:` separators. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Key id of the built-in development key. */
export const DEVELOPMENT_KEY_ID = 'dev';

/** One key of a keyring: its id, written into each value it seals, and its 32 bytes. */
export interface SecretKeyMaterial {
  readonly kid: string;
  readonly key: Uint8Array;
}

/**
 * The keys that seal and open secrets at rest. The first is the active key: every new value is
 * sealed with it; the others only open values sealed before a rotation. Key bytes are held as
 * `KeyObject`s, and neither `JSON.stringify` nor `console.log` of a keyring shows them.
 */
export class SecretKeyring {
  private readonly keys: ReadonlyMap<string, KeyObject>;

  private constructor(
    keys: ReadonlyMap<string, KeyObject>,
    /** Id of the key new values are sealed with. */
    readonly activeKid: string,
    /** Whether this is the built-in development key, which anyone can derive. */
    readonly development: boolean,
  ) {
    this.keys = keys;
  }

  /**
   * A keyring of `keys`, the first being the active one. Throws on no keys, a malformed or repeated
   * id, or a key that is not 32 bytes; messages name the key id, never key bytes.
   */
  static of(keys: readonly SecretKeyMaterial[]): SecretKeyring {
    return SecretKeyring.build(keys, false);
  }

  /**
   * The development keyring: one key derived from a fixed, public string, so that every process of a
   * local run (and every test) seals and opens alike with no configuration. It protects nothing.
   */
  static development(): SecretKeyring {
    const key = Buffer.from(
      hkdfSync(
        'sha256',
        'hookline development secret key',
        '',
        'not secret: development only',
        SECRET_KEY_BYTES,
      ),
    );
    return SecretKeyring.build([{ kid: DEVELOPMENT_KEY_ID, key }], true);
  }

  private static build(keys: readonly SecretKeyMaterial[], development: boolean): SecretKeyring {
    if (keys.length === 0) throw new TypeError('a keyring needs at least one key');
    const map = new Map<string, KeyObject>();
    for (const { kid, key } of keys) {
      if (!KEY_ID_PATTERN.test(kid))
        throw new TypeError(`key id "${kid}" must match ${KEY_ID_PATTERN.source}`);
      if (map.has(kid)) throw new TypeError(`key id "${kid}" appears more than once`);
      if (key.length !== SECRET_KEY_BYTES)
        throw new TypeError(`key "${kid}" must be ${SECRET_KEY_BYTES} bytes (AES-256), got ${key.length}`);
      map.set(kid, createSecretKey(Buffer.from(key)));
    }
    return new SecretKeyring(map, keys[0].kid, development);
  }

  /** Every key id, the active one first. */
  get kids(): readonly string[] {
    return [...this.keys.keys()];
  }

  /** The key with this id, if the keyring holds it. */
  key(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }

  /** What a log or a serialised configuration shows: ids only. */
  toJSON(): { readonly activeKid: string; readonly kids: readonly string[]; readonly development: boolean } {
    return { activeKid: this.activeKid, kids: this.kids, development: this.development };
  }

  [inspect.custom](): string {
    return `SecretKeyring(${JSON.stringify(this.toJSON())})`;
  }
}
