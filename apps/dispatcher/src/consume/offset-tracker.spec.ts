import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits only over a contiguous run of finished messages', () => {
    const tracker = new OffsetTracker();
    for (const offset of ['10', '11', '12', '13']) tracker.start(offset);
    expect(tracker.takeCommit()).toBe('10');
    tracker.finish('12');
    tracker.finish('13');
    expect(tracker.takeCommit()).toBeUndefined();
    tracker.finish('10');
    expect(tracker.takeCommit()).toBe('11');
    tracker.finish('11');
    expect(tracker.takeCommit()).toBe('14');
    expect(tracker.takeCommit()).toBeUndefined();
    expect(tracker.inFlight).toBe(0);
  });

  it('has nothing to commit before the first message', () => {
    expect(new OffsetTracker().takeCommit()).toBeUndefined();
  });

  it('tolerates gaps in offsets (compaction, transactions)', () => {
    const tracker = new OffsetTracker();
    tracker.start('5');
    tracker.start('9');
    tracker.finish('9');
    expect(tracker.takeCommit()).toBe('5');
    tracker.finish('5');
    expect(tracker.takeCommit()).toBe('10');
  });

  it('refuses out-of-order starts and unknown finishes', () => {
    const tracker = new OffsetTracker();
    tracker.start('3');
    expect(() => tracker.start('3')).toThrow(/out of order/);
    expect(() => tracker.finish('4')).toThrow(/not started/);
  });

  it('keeps memory bounded as messages finish', () => {
    const tracker = new OffsetTracker();
    for (let i = 0; i < 10_000; i += 1) {
      tracker.start(String(i));
      tracker.finish(String(i));
      if (i % 100 === 0) tracker.takeCommit();
    }
    expect(tracker.takeCommit()).toBe('10000');
    expect(tracker.inFlight).toBe(0);
  });
});
