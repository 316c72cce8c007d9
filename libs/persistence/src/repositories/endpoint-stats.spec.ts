import {
  estimatePercentile,
  failureReason,
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKETS,
  latencyBucket,
} from './endpoint-stats';

describe('failureReason', () => {
  it('counts an attempt recorded without an error class as a success', () => {
    expect(failureReason({ statusCode: 200, errorClass: null })).toBeNull();
    expect(failureReason({ statusCode: 204, errorClass: null })).toBeNull();
  });

  it.each([
    [400, 'http_4xx'],
    [404, 'http_4xx'],
    [410, 'http_4xx'],
    [429, 'http_4xx'],
    [500, 'http_5xx'],
    [503, 'http_5xx'],
    [301, 'other'],
    [101, 'other'],
  ] as const)('classes an answer %i by its status code as %s', (statusCode, reason) => {
    expect(failureReason({ statusCode, errorClass: `http_${statusCode}` })).toBe(reason);
  });

  it.each([
    ['timeout', 'timeout'],
    ['connection-refused', 'connection'],
    ['connection-reset', 'connection'],
    ['dns', 'connection'],
    ['network', 'connection'],
    ['tls', 'tls'],
    ['blocked-address', 'refused_address'],
    ['http-not-allowed', 'other'],
    ['invalid-url', 'other'],
    ['something-new', 'other'],
  ] as const)('classes the sender error %s as %s', (errorClass, reason) => {
    expect(failureReason({ statusCode: null, errorClass })).toBe(reason);
  });
});

describe('latencyBucket', () => {
  it('puts a duration in the first bucket whose bound it does not exceed', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(5)).toBe(0);
    expect(latencyBucket(5.4)).toBe(0);
    expect(latencyBucket(5.6)).toBe(1);
    expect(latencyBucket(-3)).toBe(0);
    expect(latencyBucket(100)).toBe(LATENCY_BUCKET_BOUNDS_MS.indexOf(100));
    expect(latencyBucket(101)).toBe(LATENCY_BUCKET_BOUNDS_MS.indexOf(150));
    expect(latencyBucket(60_000)).toBe(LATENCY_BUCKETS - 2);
  });

  it('puts anything slower than the last bound in the overflow bucket', () => {
    expect(latencyBucket(60_001)).toBe(LATENCY_BUCKETS - 1);
    expect(latencyBucket(3_600_000)).toBe(LATENCY_BUCKETS - 1);
  });
});

describe('estimatePercentile', () => {
  const histogram = (counts: Record<number, number>): number[] => {
    const h = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (const [bound, count] of Object.entries(counts)) {
      const bucket = Number(bound) === Infinity ? LATENCY_BUCKETS - 1 : latencyBucket(Number(bound));
      h[bucket] += count;
    }
    return h;
  };

  it('is null for an empty histogram', () => {
    expect(estimatePercentile(new Array<number>(LATENCY_BUCKETS).fill(0), 0.5)).toBeNull();
  });

  it('interpolates inside the bucket holding the rank', () => {
    // 100 attempts in (100, 150] ms: the median is halfway through that bucket.
    expect(estimatePercentile(histogram({ 150: 100 }), 0.5)).toBe(125);
    expect(estimatePercentile(histogram({ 150: 100 }), 0.95)).toBe(148);
  });

  it('finds the bucket from the cumulative counts', () => {
    // 90 fast (≤ 5 ms) and 10 slow (in (1000, 1500] ms): p50 is fast, p95 is slow.
    const h = histogram({ 5: 90, 1500: 10 });
    expect(estimatePercentile(h, 0.5)).toBeLessThanOrEqual(5);
    expect(estimatePercentile(h, 0.95)).toBe(1250);
  });

  it('reports a percentile beyond the last bound as the last bound', () => {
    expect(estimatePercentile(histogram({ Infinity: 3 }), 0.5)).toBe(60_000);
  });
});
