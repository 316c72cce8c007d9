import { ConfigError } from '@hookline/config';
import { loadConfig } from './config';

describe('dispatcher config', () => {
  it('defaults to port 3003 and client id hookline-dispatcher', () => {
    const config = loadConfig({});
    expect(config.service).toBe('dispatcher');
    expect(config.http.port).toBe(3003);
    expect(config.kafka.clientId).toBe('hookline-dispatcher');
  });

  it('names every bad key in one error', () => {
    const env = { PORT: 'http', LOG_LEVEL: 'loud', HOOKLINE_PRESET: 'nope', DATABASE_URL: 'not a url' };
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const keys = (thrown as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(keys.sort()).toEqual(Object.keys(env).sort());
  });

  it('reads DISPATCHER_ALLOWED_CIDRS as addresses and CIDR ranges, and names a bad entry', () => {
    expect(loadConfig({ DISPATCHER_ALLOWED_CIDRS: '127.0.0.0/8, ::1' }).delivery.allowedCidrs).toEqual([
      '127.0.0.0/8',
      '::1',
    ]);
    for (const entry of ['127.0.0.0/33', '999.1.1.1', 'localhost']) {
      expect(() => loadConfig({ DISPATCHER_ALLOWED_CIDRS: entry })).toThrow(
        `DISPATCHER_ALLOWED_CIDRS: "${entry}" is not an address or CIDR range`,
      );
    }
  });
});
