export { signSha256Hex, verifySha256Hex } from './sha256-hex.signature';
export type { Sha256HexRejection, Sha256HexVerification } from './sha256-hex.signature';
export { generateWebhookSecret, sha256HexKey, standardWebhooksKey, WHSEC_PREFIX } from './signing-secret';
export { signStandardWebhooks, verifyStandardWebhooks } from './standard-webhooks.signature';
export type {
  IncomingHeaders,
  StandardWebhooksHeaders,
  StandardWebhooksMessage,
  StandardWebhooksRejection,
  StandardWebhooksVerification,
  VerifyOptions,
} from './standard-webhooks.signature';
