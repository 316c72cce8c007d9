import type { EnvReader } from '@hookline/config';
import {
  CREATED_FORMATS,
  PRESET_NAMES,
  type Preset,
  type PresetOverrides,
  resolvePreset,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
} from './presets';

/**
 * Reads the preset and its overrides; every service calls this so they all agree on the contract.
 * Keys: HOOKLINE_PRESET, HOOKLINE_BRAND, HOOKLINE_HEADER_PREFIX, HOOKLINE_USER_AGENT,
 * HOOKLINE_CREATED_FORMAT, HOOKLINE_SIGNATURE_SCHEMES, HOOKLINE_RETRY_SCHEDULE, HOOKLINE_RETRY_JITTER,
 * HOOKLINE_RETRY_NON_2XX, HOOKLINE_DEFER_DELAY, HOOKLINE_ATTEMPT_TIMEOUT, HOOKLINE_API_VERSION.
 */
export function readPreset(r: EnvReader): Preset {
  const name = r.oneOf('HOOKLINE_PRESET', PRESET_NAMES, 'hookline');
  const overrides: PresetOverrides = {};
  const brand = r.optionalString('HOOKLINE_BRAND');
  if (brand !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(brand))
      r.problem('HOOKLINE_BRAND', 'may hold only letters, digits, spaces and dashes');
    overrides.brandName = brand;
  }
  const headerPrefix = r.optionalString('HOOKLINE_HEADER_PREFIX');
  if (headerPrefix !== undefined) {
    if (!/^[A-Za-z0-9-]+$/.test(headerPrefix))
      r.problem('HOOKLINE_HEADER_PREFIX', 'must be a valid header name token');
    overrides.headerPrefix = headerPrefix;
  }
  overrides.userAgent = r.optionalString('HOOKLINE_USER_AGENT');
  const created = r.optionalString('HOOKLINE_CREATED_FORMAT');
  if (created !== undefined)
    overrides.createdFormat = r.oneOf('HOOKLINE_CREATED_FORMAT', CREATED_FORMATS, 'unix');
  const schemes = r.list('HOOKLINE_SIGNATURE_SCHEMES', []);
  if (schemes.length > 0) {
    const unknown = schemes.filter((s) => !(SIGNATURE_SCHEMES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      r.problem(
        'HOOKLINE_SIGNATURE_SCHEMES',
        `unknown scheme(s) ${unknown.join(', ')}; use ${SIGNATURE_SCHEMES.join(', ')}`,
      );
    }
    overrides.signatureSchemes = schemes as SignatureScheme[];
  }
  const schedule = r.durationList('HOOKLINE_RETRY_SCHEDULE', []);
  if (schedule.length > 0) overrides.retryDelaysMs = schedule;
  if (r.optionalString('HOOKLINE_RETRY_JITTER') !== undefined) {
    overrides.retryJitterRatio = r.number('HOOKLINE_RETRY_JITTER', { default: 0, min: 0, max: 0.5 });
  }
  if (r.optionalString('HOOKLINE_RETRY_NON_2XX') !== undefined) {
    overrides.retryNon2xx = r.bool('HOOKLINE_RETRY_NON_2XX', false);
  }
  if (r.optionalString('HOOKLINE_DEFER_DELAY') !== undefined) {
    overrides.deferDelayMs = r.durationMs('HOOKLINE_DEFER_DELAY', 30_000);
    if (overrides.deferDelayMs < 100) r.problem('HOOKLINE_DEFER_DELAY', 'must be at least 100ms');
  }
  if (r.optionalString('HOOKLINE_ATTEMPT_TIMEOUT') !== undefined) {
    overrides.attemptTimeoutMs = r.durationMs('HOOKLINE_ATTEMPT_TIMEOUT', 30_000);
    if (overrides.attemptTimeoutMs < 100) r.problem('HOOKLINE_ATTEMPT_TIMEOUT', 'must be at least 100ms');
  }
  overrides.apiVersion = r.optionalString('HOOKLINE_API_VERSION');
  return resolvePreset(name, stripUndefined(overrides));
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
