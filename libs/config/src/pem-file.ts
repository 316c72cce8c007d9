import { readFileSync } from 'node:fs';
import type { EnvReader } from './read-config';

/** What a PEM file named by a key must hold. */
export type PemKind = 'certificate' | 'private key';

const MARKERS: Record<PemKind, RegExp> = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  // PKCS#8 (`PRIVATE KEY`) or a traditional RSA / EC key.
  'private key': /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
};

/**
 * Reads the PEM file at `path`, named by the key `key`, once at boot; records a problem (naming only
 * the path, never the content) when it cannot be read or holds no PEM block of the expected kind.
 */
export function readPemFile(r: EnvReader, key: string, path: string, kind: PemKind): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    r.problem(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return undefined;
  }
  if (!MARKERS[kind].test(text)) r.problem(key, `${path} holds no PEM ${kind}`);
  return text;
}
