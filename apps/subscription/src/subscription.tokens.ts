/** Injection token of the validated `SubscriptionConfig`. */
export const SUBSCRIPTION_CONFIG = Symbol('hookline.subscription-config');
