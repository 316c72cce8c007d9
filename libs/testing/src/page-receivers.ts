/**
 * The Node.js receiver functions printed on the two reference pages, copied verbatim into
 * page-receivers/ and typed here, so every test checks our signatures with the customers' own code.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hackmamba = require('./page-receivers/hackmamba-receiver.fixture.cjs') as {
  verifyWebhookSignature(payload: Buffer | string, signature: string, secret: string): boolean;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const appmint = require('./page-receivers/appmint-receivers.fixture.cjs') as {
  verifySignature(payload: Buffer, signature: string, secret: string): boolean;
  verifyWebhookSignature(payload: Buffer | string, signature: string, secret: string): boolean;
};

/** The Hackmamba page's `verifyWebhookSignature` (plain string comparison). */
export const hackmambaVerifyWebhookSignature = hackmamba.verifyWebhookSignature;
/** The Appmint page's Express `verifySignature` (`signature.split('=')[1]`, timingSafeEqual). */
export const appmintVerifySignature = appmint.verifySignature;
/** The Appmint page's "Signature Algorithm" `verifyWebhookSignature` (`replace('sha256=', '')`). */
export const appmintVerifyWebhookSignature = appmint.verifyWebhookSignature;
