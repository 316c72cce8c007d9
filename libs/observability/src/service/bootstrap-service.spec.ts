import { createServer } from 'node:net';
import { ConfigError } from '@hookline/config';
import { resolvePreset } from '@hookline/presets';
import { Controller, Get, Module } from '@nestjs/common';
import { bootstrapService, runService } from './bootstrap-service';
import type { ServiceConfig } from './service-config';

@Controller()
class PingController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

const config = (port: number): ServiceConfig => ({
  service: 'ingest',
  preset: resolvePreset('hookline'),
  http: { host: '127.0.0.1', port },
  kafka: {
    brokers: ['127.0.0.1:9092'],
    clientId: 'unused',
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 1_000,
  },
  database: { url: 'postgres://unused@127.0.0.1/unused', poolSize: 1 },
  logLevel: 'info',
  shutdownGraceMs: 5_000,
});

describe('bootstrapService', () => {
  afterEach(() => jest.restoreAllMocks());

  it('listens on the configured host, on a free port for port 0, and logs one line saying where', async () => {
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const service = await bootstrapService(PingModule, config(0));
    try {
      expect(service.port).toBeGreaterThan(0);
      expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
      expect(await (await fetch(`${service.url}/ping`)).text()).toBe('pong');
      const listening = written.filter((line) => line.includes('listening'));
      expect(listening).toHaveLength(1);
      expect(listening[0]).toContain(`ingest listening on 127.0.0.1:${service.port}`);
      // No database here: the schema check says so once and lets the service start.
      expect(written.filter((line) => !line.includes('listening'))).toEqual([
        expect.stringContaining('could not check the database schema'),
      ]);
    } finally {
      await service.close();
    }
    await expect(fetch(`${service.url}/ping`)).rejects.toThrow();
  });

  it('rejects when the port is taken, leaving nothing running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(bootstrapService(PingModule, config(port))).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('runService', () => {
  afterEach(() => jest.restoreAllMocks());

  it('prints every configuration problem without a stack trace and exits 1', async () => {
    const stderr: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const bootstrap = jest.fn();
    const load = (): ServiceConfig => {
      throw new ConfigError([
        'PORT: must be an integer, got "x"',
        'LOG_LEVEL: must be one of error, warn, info, debug',
      ]);
    };

    await expect(runService(load, bootstrap)).rejects.toThrow('exit 1');
    expect(exit).toHaveBeenCalledWith(1);
    expect(bootstrap).not.toHaveBeenCalled();
    expect(stderr.join('')).toBe(
      'Invalid configuration:\n  - PORT: must be an integer, got "x"\n  - LOG_LEVEL: must be one of error, warn, info, debug\n',
    );
  });

  it('reports a failed boot in one line and exits 1', async () => {
    const stderr: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const failing = async () => {
      throw new Error('listen EADDRINUSE: address already in use 0.0.0.0:3001');
    };

    await expect(runService(() => config(3001), failing)).rejects.toThrow('exit 1');
    expect(stderr.join('')).toBe(
      'ingest failed to start: listen EADDRINUSE: address already in use 0.0.0.0:3001\n',
    );
  });

  it('boots with signal handling on', async () => {
    const bootstrap = jest.fn().mockResolvedValue({});
    await runService(() => config(0), bootstrap);
    expect(bootstrap).toHaveBeenCalledWith(config(0), { handleSignals: true });
  });
});
