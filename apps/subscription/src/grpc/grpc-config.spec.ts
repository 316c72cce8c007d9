import { ConfigError } from '@hookline/config';
import { DEFAULT_GRPC_PORT, loadConfig } from '../config';

describe('gRPC admin API settings', () => {
  it('listen on HOST:50051 by default', () => {
    expect(loadConfig({}).grpc).toEqual({ host: '0.0.0.0', port: DEFAULT_GRPC_PORT });
    expect(loadConfig({ HOST: '127.0.0.1' }).grpc).toEqual({ host: '127.0.0.1', port: 50051 });
  });

  it('default to a free port when HTTP takes a free port, so instances started that way never collide', () => {
    expect(loadConfig({ PORT: '0' }).grpc.port).toBe(0);
  });

  it('read SUBSCRIPTION_GRPC_HOST and SUBSCRIPTION_GRPC_PORT', () => {
    expect(loadConfig({ SUBSCRIPTION_GRPC_HOST: '::', SUBSCRIPTION_GRPC_PORT: '6000' }).grpc).toEqual({
      host: '::',
      port: 6000,
    });
  });

  it.each([['-1'], ['65536'], ['grpc'], ['3002']])('refuse SUBSCRIPTION_GRPC_PORT=%s', (value) => {
    expect(() => loadConfig({ SUBSCRIPTION_GRPC_PORT: value })).toThrow(ConfigError);
    try {
      loadConfig({ SUBSCRIPTION_GRPC_PORT: value });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^SUBSCRIPTION_GRPC_PORT/)]);
    }
  });
});
