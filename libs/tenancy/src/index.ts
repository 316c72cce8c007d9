export { API_KEY_PREFIX, API_KEY_VISIBLE_CHARS, bearerToken, hashApiKey, mintApiKey } from './api-key';
export type { MintedApiKey } from './api-key';
export { ApiKeyAuthenticator } from './api-key.authenticator';
export type { ApiKeyAuthenticatorOptions, Authentication } from './api-key.authenticator';
