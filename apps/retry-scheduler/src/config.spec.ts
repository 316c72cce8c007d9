import { ConfigError } from '@hookline/config';
import { loadConfig } from './config';

describe('retry-scheduler config', () => {
  it('defaults to port 3004 and client id hookline-retry-scheduler', () => {
    const config = loadConfig({});
    expect(config.service).toBe('retry-scheduler');
    expect(config.http.port).toBe(3004);
    expect(config.kafka.clientId).toBe('hookline-retry-scheduler');
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
});
