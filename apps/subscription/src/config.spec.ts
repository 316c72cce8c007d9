import { ConfigError } from '@hookline/config';
import { loadConfig } from './config';

describe('subscription config', () => {
  it('defaults to port 3002 and client id hookline-subscription', () => {
    const config = loadConfig({});
    expect(config.service).toBe('subscription');
    expect(config.http.port).toBe(3002);
    expect(config.kafka.clientId).toBe('hookline-subscription');
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
