import { ConfigError, parseDurationMs, readConfig } from './read-config';

describe('readConfig', () => {
  const build = (env: NodeJS.ProcessEnv) =>
    readConfig(env, (r) => ({
      port: r.int('PORT', { default: 3000, min: 1, max: 65535 }),
      verbose: r.bool('VERBOSE', false),
      preset: r.oneOf('PRESET', ['hookline', 'appmint'] as const, 'hookline'),
      timeoutMs: r.durationMs('TIMEOUT', 30_000),
      brokers: r.list('BROKERS', ['127.0.0.1:9092']),
      database: r.url('DATABASE_URL', { protocols: ['postgres', 'postgresql'] }),
      delays: r.durationList('DELAYS', [1000]),
    }));

  it('applies defaults and parses values', () => {
    const config = build({
      DATABASE_URL: 'postgres://u@h/db',
      PORT: '8080',
      VERBOSE: 'yes',
      TIMEOUT: '5s',
      BROKERS: 'a:1, b:2,',
      DELAYS: '0s,1m,250ms',
    });
    expect(config).toEqual({
      port: 8080,
      verbose: true,
      preset: 'hookline',
      timeoutMs: 5000,
      brokers: ['a:1', 'b:2'],
      database: 'postgres://u@h/db',
      delays: [0, 60_000, 250],
    });
  });

  it('names every bad key in one error', () => {
    let error: unknown;
    try {
      build({ PORT: '99999', VERBOSE: 'maybe', PRESET: 'svix', TIMEOUT: 'soon', DELAYS: '1m,x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    for (const key of ['PORT', 'VERBOSE', 'PRESET', 'TIMEOUT', 'DATABASE_URL', 'DELAYS']) {
      expect(problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
    }
    expect((error as Error).message).toContain('PORT: must be at most 65535');
  });

  it('never echoes a malformed URL, which may hold a password', () => {
    expect(() => build({ DATABASE_URL: 'not a url :secret@' })).toThrow(
      /DATABASE_URL: must be an absolute URL$/m,
    );
    expect(() => build({ DATABASE_URL: 'not a url :secret@' })).not.toThrow(/secret/);
  });

  it('rejects a URL with the wrong protocol', () => {
    expect(() => build({ DATABASE_URL: 'mysql://h/db' })).toThrow(
      /DATABASE_URL: must use postgres or postgresql/,
    );
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1500', 1500],
    ['0.5s', 500],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '-1s'])('rejects %p', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
});
