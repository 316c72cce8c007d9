export {
  DEVELOPMENT_KEY_ID,
  KEY_ID_PATTERN,
  SECRET_KEY_BYTES,
  SecretKeyring,
  type SecretKeyMaterial,
} from './secret-keyring';
export {
  isSealed,
  type RevealedValue,
  SEALED_PREFIX,
  sealedKeyId,
  SealedValueError,
  type SealedValueFailure,
  SecretSealer,
} from './secret-sealer';
export {
  DEVELOPMENT_KEY_WARNING,
  parseSecretKeys,
  readSecretKeys,
  SECRET_KEYS_ENV,
  SECRET_KEYS_FILE_ENV,
  type SecretKeysParse,
} from './secret-keys.config';
