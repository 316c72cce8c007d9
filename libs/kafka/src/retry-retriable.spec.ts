import { retryRetriable } from './retry-retriable';

describe('retryRetriable', () => {
  it('retries retriable errors until the call succeeds', async () => {
    let calls = 0;
    const result = await retryRetriable(
      async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('not the leader'), { retriable: true });
        return 'ok';
      },
      5,
      1,
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('gives up on other errors at once, and on retriable ones after the last attempt', async () => {
    let calls = 0;
    await expect(
      retryRetriable(
        async () => {
          calls += 1;
          throw new Error('bad request');
        },
        5,
        1,
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
    await expect(
      retryRetriable(
        async () => {
          throw Object.assign(new Error('still moving'), { retriable: true });
        },
        3,
        1,
      ),
    ).rejects.toThrow('still moving');
  });
});
