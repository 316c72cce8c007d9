import { nestLogLevels, ServiceLogger } from './service-logger';

describe('ServiceLogger', () => {
  function capture(level: 'info' | 'debug'): { logger: ServiceLogger; lines: string[] } {
    const lines: string[] = [];
    const logger = new ServiceLogger({ prefix: 'ingest', logLevels: nestLogLevels(level), colors: false });
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    return { logger, lines };
  }
  afterEach(() => jest.restoreAllMocks());

  it('keeps Nest startup chatter out of the info level but shows the service line', () => {
    const { logger, lines } = capture('info');
    logger.log('Mapped {/metrics, GET} route', 'RouterExplorer');
    logger.log('ingest listening on 0.0.0.0:3001', 'Bootstrap');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[ingest]');
    expect(lines[0]).toContain('ingest listening on 0.0.0.0:3001');
  });

  it('shows the chatter at debug', () => {
    const { logger, lines } = capture('debug');
    logger.log('Mapped {/metrics, GET} route', 'RouterExplorer');
    expect(lines.join('')).toContain('Mapped {/metrics, GET} route');
  });

  it('maps operator levels to Nest levels, each including the more severe ones', () => {
    expect(nestLogLevels('error')).toEqual(['fatal', 'error']);
    expect(nestLogLevels('info')).toEqual(['fatal', 'error', 'warn', 'log']);
  });
});
