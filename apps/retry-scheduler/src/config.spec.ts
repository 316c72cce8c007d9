import { ConfigError } from '@hookline/config';
import { loadConfig } from './config';

function problemKeys(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.split(':')[0]).sort();
    throw error;
  }
  return [];
}

describe('retry-scheduler config', () => {
  it('defaults to port 3004, client id and group hookline-retry-scheduler, and a 5-day disable window', () => {
    const config = loadConfig({});
    expect(config.service).toBe('retry-scheduler');
    expect(config.http.port).toBe(3004);
    expect(config.kafka.clientId).toBe('hookline-retry-scheduler');
    expect(config.groupId).toBe('hookline-retry-scheduler');
    expect(config.initialOffset).toBe('earliest');
    expect(config.sessionTimeoutMs).toBe(30_000);
    expect(config.autoDisable).toEqual({
      enabled: true,
      windowMs: 5 * 86_400_000,
      sweepIntervalMs: 600_000,
      slices: 5,
      minFailedSlices: 3,
    });
  });

  it('takes the schedule from the preset and its override', () => {
    expect(loadConfig({ HOOKLINE_PRESET: 'hackmamba' }).preset.retry.delaysMs).toEqual([
      60_000, 300_000, 900_000,
    ]);
    expect(loadConfig({ HOOKLINE_RETRY_SCHEDULE: '1s,2s,3s' }).preset.retry.delaysMs).toEqual([
      1000, 2000, 3000,
    ]);
  });

  it('reads its own keys', () => {
    const config = loadConfig({
      RETRY_SCHEDULER_GROUP_ID: 'retry-eu',
      RETRY_SCHEDULER_INITIAL_OFFSET: 'latest',
      RETRY_SCHEDULER_PARTITIONS_CONCURRENTLY: '4',
      RETRY_SCHEDULER_BACKLOG_INTERVAL: '5s',
      RETRY_SCHEDULER_SESSION_TIMEOUT: '10s',
      RETRY_AUTO_DISABLE: 'false',
      RETRY_DISABLE_AFTER: '10s',
      RETRY_DISABLE_SWEEP_INTERVAL: '500ms',
      RETRY_DISABLE_SLICES: '4',
      RETRY_DISABLE_MIN_FAILED_SLICES: '4',
    });
    expect(config).toMatchObject({
      groupId: 'retry-eu',
      initialOffset: 'latest',
      partitionsConcurrently: 4,
      backlogIntervalMs: 5000,
      sessionTimeoutMs: 10_000,
      autoDisable: { enabled: false, windowMs: 10_000, sweepIntervalMs: 500, slices: 4, minFailedSlices: 4 },
    });
  });

  it('keeps endpoint statistics 8 days by default, and never less than the 7-day window', () => {
    expect(loadConfig({}).endpointStats).toEqual({ retentionMs: 8 * 86_400_000, sweepIntervalMs: 3_600_000 });
    expect(
      loadConfig({ RETRY_STATS_RETENTION: '30d', RETRY_STATS_SWEEP_INTERVAL: '5m' }).endpointStats,
    ).toEqual({ retentionMs: 30 * 86_400_000, sweepIntervalMs: 300_000 });
    expect(problemKeys({ RETRY_STATS_RETENTION: '6d', RETRY_STATS_SWEEP_INTERVAL: '10' })).toEqual([
      'RETRY_STATS_RETENTION',
      'RETRY_STATS_SWEEP_INTERVAL',
    ]);
  });

  it('names every bad key in one error', () => {
    const env = { PORT: 'http', LOG_LEVEL: 'loud', HOOKLINE_PRESET: 'nope', DATABASE_URL: 'not a url' };
    expect(problemKeys(env)).toEqual(Object.keys(env).sort());
  });

  it('refuses a spread rule that cannot be met', () => {
    expect(
      problemKeys({
        RETRY_DISABLE_SLICES: '3',
        RETRY_DISABLE_MIN_FAILED_SLICES: '4',
        RETRY_SCHEDULER_INITIAL_OFFSET: 'middle',
        RETRY_DISABLE_SWEEP_INTERVAL: '10',
        RETRY_DISABLE_AFTER: 'soon',
        RETRY_SCHEDULER_SESSION_TIMEOUT: '1s',
      }),
    ).toEqual(
      [
        'RETRY_DISABLE_AFTER',
        'RETRY_DISABLE_MIN_FAILED_SLICES',
        'RETRY_DISABLE_SWEEP_INTERVAL',
        'RETRY_SCHEDULER_INITIAL_OFFSET',
        'RETRY_SCHEDULER_SESSION_TIMEOUT',
      ].sort(),
    );
  });
});
