import { logLevel } from 'kafkajs';
import { createLogCreator, type KafkaLogRecord } from './kafka-log.adapter';

describe('createLogCreator', () => {
  const collect = (minLevel: Parameters<typeof createLogCreator>[1]) => {
    const records: KafkaLogRecord[] = [];
    const log = createLogCreator({ log: (record) => records.push(record) }, minLevel)(logLevel.DEBUG);
    return { records, log };
  };
  const entry = (level: logLevel, extra: Record<string, unknown> = {}) => ({
    namespace: 'Connection',
    level,
    label: 'X',
    log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message: 'hello', ...extra },
  });

  it('forwards lines at or above the threshold and drops the rest', () => {
    const { records, log } = collect('warn');
    log(entry(logLevel.INFO));
    log(entry(logLevel.DEBUG));
    log(entry(logLevel.WARN));
    log(entry(logLevel.ERROR));
    expect(records.map((record) => record.level)).toEqual(['warn', 'error']);
  });

  it('keeps useful fields and redacts anything that may hold a credential', () => {
    const { records, log } = collect('error');
    log(entry(logLevel.ERROR, { broker: 'b:9092', sasl: { password: 'p' }, password: 'p', authToken: 't' }));
    expect(records).toEqual([
      {
        level: 'error',
        namespace: 'Connection',
        message: 'hello',
        fields: { broker: 'b:9092', sasl: '[redacted]', password: '[redacted]', authToken: '[redacted]' },
      },
    ]);
  });

  it('forwards nothing at level nothing', () => {
    const { records, log } = collect('nothing');
    log(entry(logLevel.ERROR));
    expect(records).toEqual([]);
  });
});
