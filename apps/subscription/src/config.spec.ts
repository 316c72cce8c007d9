import { ConfigError } from '@hookline/config';
import { loadConfig } from './config';

function problemKeys(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.split(':')[0]).sort();
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('subscription config', () => {
  it('defaults to port 3002, client id hookline-subscription and the documented subscription settings', () => {
    const config = loadConfig({});
    expect(config.service).toBe('subscription');
    expect(config.http.port).toBe(3002);
    expect(config.kafka.clientId).toBe('hookline-subscription');
    expect(config.subscription).toEqual({
      adminToken: undefined,
      secretRotationWindowMs: 24 * 3_600_000,
      allowHttpUrls: false,
      allowedCidrs: [],
      republishOnBoot: true,
      apiKeyCacheTtlMs: 30_000,
      publishTimeoutMs: 10_000,
    });
  });

  it('reads every subscription key', () => {
    const config = loadConfig({
      SUBSCRIPTION_ADMIN_TOKEN: 'x'.repeat(24),
      SUBSCRIPTION_SECRET_ROTATION_WINDOW: '1h',
      SUBSCRIPTION_ALLOW_HTTP_URLS: 'true',
      SUBSCRIPTION_ALLOWED_CIDRS: '10.20.0.0/16, fd00::/8,192.0.2.7',
      SUBSCRIPTION_REPUBLISH_ON_BOOT: 'false',
      SUBSCRIPTION_API_KEY_CACHE_TTL: '0',
      SUBSCRIPTION_PUBLISH_TIMEOUT: '3s',
    });
    expect(config.subscription).toEqual({
      adminToken: 'x'.repeat(24),
      secretRotationWindowMs: 3_600_000,
      allowHttpUrls: true,
      allowedCidrs: ['10.20.0.0/16', 'fd00::/8', '192.0.2.7'],
      republishOnBoot: false,
      apiKeyCacheTtlMs: 0,
      publishTimeoutMs: 3_000,
    });
  });

  it('names every bad key in one error', () => {
    const env = {
      PORT: 'http',
      LOG_LEVEL: 'loud',
      HOOKLINE_PRESET: 'nope',
      DATABASE_URL: 'not a url',
      SUBSCRIPTION_ADMIN_TOKEN: 'short',
      SUBSCRIPTION_SECRET_ROTATION_WINDOW: 'a day',
      SUBSCRIPTION_ALLOW_HTTP_URLS: 'maybe',
      SUBSCRIPTION_ALLOWED_CIDRS: '10.0.0.0/8,10.0.0.0/33',
      SUBSCRIPTION_PUBLISH_TIMEOUT: 'soon',
    };
    expect(problemKeys(env)).toEqual(Object.keys(env).sort());
  });

  it('defaults the customer portal to its build output, framing by its own origin and 24 h sessions', () => {
    const { portal } = loadConfig({});
    expect(portal).toEqual({
      publicUrl: undefined,
      frameAncestors: ["'self'"],
      sessionMaxTtlSeconds: 86_400,
      assetsDir: expect.stringMatching(/[/\\]dist[/\\]apps[/\\]portal$/),
    });
  });

  it('reads every portal key', () => {
    const { portal } = loadConfig({
      PORTAL_PUBLIC_URL: 'https://hooks.example.com/hookline/',
      PORTAL_FRAME_ANCESTORS:
        "'self'  https://dashboard.example.com https://*.example.org:8443 app.example.net",
      PORTAL_SESSION_MAX_TTL: '2h',
      PORTAL_ASSETS_DIR: '/srv/portal',
    });
    expect(portal).toEqual({
      publicUrl: 'https://hooks.example.com/hookline',
      frameAncestors: [
        "'self'",
        'https://dashboard.example.com',
        'https://*.example.org:8443',
        'app.example.net',
      ],
      sessionMaxTtlSeconds: 7_200,
      assetsDir: '/srv/portal',
    });
  });

  it.each([
    ['PORTAL_PUBLIC_URL', 'hooks.example.com'],
    ['PORTAL_PUBLIC_URL', 'ftp://hooks.example.com'],
    ['PORTAL_PUBLIC_URL', 'https://hooks.example.com/?x=1'],
    ['PORTAL_PUBLIC_URL', 'https://user:pw@hooks.example.com'],
    ['PORTAL_FRAME_ANCESTORS', "'self'; script-src *"],
    ['PORTAL_FRAME_ANCESTORS', 'https://a.example.com,https://b.example.com'],
    ['PORTAL_FRAME_ANCESTORS', "'unsafe-inline'"],
    ['PORTAL_FRAME_ANCESTORS', "'none' https://a.example.com"],
    ['PORTAL_SESSION_MAX_TTL', '30s'],
    ['PORTAL_SESSION_MAX_TTL', '2d'],
    ['PORTAL_SESSION_MAX_TTL', 'a day'],
  ])('refuses %s=%s, naming the key', (key, value) => {
    expect(problemKeys({ [key]: value })).toEqual([key]);
  });

  it('never echoes the admin token', () => {
    try {
      loadConfig({ SUBSCRIPTION_ADMIN_TOKEN: 'hunter2-secret' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
      return;
    }
    throw new Error('expected a ConfigError');
  });
});
