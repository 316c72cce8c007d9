export {
  brandFromName,
  CREATED_FORMATS,
  PRESET_NAMES,
  PRESETS,
  resolvePreset,
  SIGNATURE_SCHEMES,
} from './presets';
export type {
  Brand,
  CreatedFormat,
  Preset,
  PresetName,
  PresetOverrides,
  RetryPolicy,
  SignatureScheme,
} from './presets';
export { readPreset } from './read-preset';
export { nextRetry, retryTiers } from './retry-schedule';
export type { RetryDecision } from './retry-schedule';
