import { ConfigError, readConfig } from '@hookline/config';
import { PRESETS, readPreset, resolvePreset } from './index';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('presets', () => {
  it('appmint reproduces the Appmint page', () => {
    const p = PRESETS.appmint;
    expect(p.brand).toEqual({
      name: 'Appmint',
      headerPrefix: 'X-Appmint',
      userAgent: 'Appmint-Webhooks/1.0',
    });
    expect(p.createdFormat).toBe('iso8601');
    expect(p.retry.delaysMs).toEqual([0, MIN, 5 * MIN, 15 * MIN, HOUR, 6 * HOUR, 24 * HOUR]);
    expect(p.retry.retryNon2xx).toBe(false);
    expect(p.attemptTimeoutMs).toBe(30_000);
    expect(p.apiVersion).toBe('2024-01-01');
  });

  it('hackmamba reproduces the Hackmamba page', () => {
    const p = PRESETS.hackmamba;
    expect(p.brand.headerPrefix).toBe('X-Hackmamba');
    expect(p.createdFormat).toBe('unix');
    expect(p.retry.delaysMs).toEqual([MIN, 5 * MIN, 15 * MIN]);
    expect(p.retry.retryNon2xx).toBe(true);
    expect(p.attemptTimeoutMs).toBe(30_000);
  });

  it('hookline follows the Standard Webhooks schedule with jitter and both signatures', () => {
    const p = PRESETS.hookline;
    expect(p.retry.delaysMs).toEqual([
      5000,
      5 * MIN,
      30 * MIN,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      14 * HOUR,
      20 * HOUR,
      24 * HOUR,
    ]);
    expect(p.retry.jitterRatio).toBeGreaterThan(0);
    expect(p.signatureSchemes).toEqual(['sha256-hex', 'standard-webhooks']);
  });

  it('applies overrides on top of a preset', () => {
    const p = resolvePreset('appmint', {
      brandName: 'Acme',
      retryDelaysMs: [1000, 2000],
      createdFormat: 'unix',
    });
    expect(p.brand).toEqual({ name: 'Acme', headerPrefix: 'X-Acme', userAgent: 'Acme-Webhooks/1.0' });
    expect(p.retry.delaysMs).toEqual([1000, 2000]);
    expect(p.createdFormat).toBe('unix');
    expect(p.retry.retryNon2xx).toBe(false);
  });
});

describe('readPreset', () => {
  const read = (env: NodeJS.ProcessEnv) => readConfig(env, readPreset);

  it('defaults to hookline', () => {
    expect(read({})).toEqual(PRESETS.hookline);
  });

  it('reads a preset and overrides from the environment', () => {
    const p = read({
      HOOKLINE_PRESET: 'hackmamba',
      HOOKLINE_RETRY_SCHEDULE: '1s,2s,3s',
      HOOKLINE_SIGNATURE_SCHEMES: 'sha256-hex',
      HOOKLINE_ATTEMPT_TIMEOUT: '5s',
    });
    expect(p.name).toBe('hackmamba');
    expect(p.retry.delaysMs).toEqual([1000, 2000, 3000]);
    expect(p.signatureSchemes).toEqual(['sha256-hex']);
    expect(p.attemptTimeoutMs).toBe(5000);
    expect(p.brand.headerPrefix).toBe('X-Hackmamba');
  });

  it('names every bad key', () => {
    let error: ConfigError | undefined;
    try {
      read({
        HOOKLINE_PRESET: 'svix',
        HOOKLINE_CREATED_FORMAT: 'rfc2822',
        HOOKLINE_SIGNATURE_SCHEMES: 'md5',
        HOOKLINE_RETRY_JITTER: '2',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'HOOKLINE_CREATED_FORMAT',
      'HOOKLINE_PRESET',
      'HOOKLINE_RETRY_JITTER',
      'HOOKLINE_SIGNATURE_SCHEMES',
    ]);
  });
});
