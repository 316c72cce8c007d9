export { describeAddressClass } from './address-class';
export type { AddressClass } from './address-class';
export { AddressPolicy, isAddressRange } from './address-policy';
export type { AddressVerdict } from './address-policy';
export { checkUrlHost, hasUnsafeUrlCharacter } from './endpoint-url';
