export {
  API_KEY_PREFIX,
  API_KEY_VISIBLE_CHARS,
  apiKeyPrefix,
  bearerToken,
  hashApiKey,
  mintApiKey,
  OPERATOR_KEY_PREFIX,
  operatorKeyPrefix,
} from './api-key';
export type { MintedApiKey } from './api-key';
export { ApiKeyAuthenticator } from './api-key.authenticator';
export type { ApiKeyAuthenticatorOptions, Authentication, CallerContext } from './api-key.authenticator';
export { ApiKeyUsageRecorder, createApiKeyUsageRecorder } from './api-key-usage.recorder';
export type { ApiKeyUsageRecorderOptions } from './api-key-usage.recorder';
export { AuthFailureBrake, invalidProxyEntries, TrustedProxies } from './auth-failure.brake';
export type { AuthBrakeOptions, BrakeSubject, BrakeVerdict } from './auth-failure.brake';
export { readAuthProtectionConfig } from './auth.config';
export type { AuthProtectionConfig } from './auth.config';
