import { status } from '@grpc/grpc-js';
import {
  MAX_FIELD_VIOLATIONS,
  MAX_STATUS_MESSAGE_CHARS,
  MAX_VIOLATION_CHARS,
  withinMetadataLimits,
} from './grpc-metadata-limits';

describe('withinMetadataLimits', () => {
  it('leaves ordinary answers as they are', () => {
    const failure = {
      kind: 'expected' as const,
      code: status.INVALID_ARGUMENT,
      message: 'Invalid request: url is required',
      fields: [{ field: 'url', message: 'is required' }],
    };
    expect(withinMetadataLimits(failure)).toEqual(failure);
  });

  it('cuts a message that echoes a huge id, and the violations of a huge input', () => {
    const bounded = withinMetadataLimits({
      kind: 'expected',
      code: status.INVALID_ARGUMENT,
      message: `No such tenant: ${'x'.repeat(120_000)}`,
      fields: Array.from({ length: 50 }, (_, i) => ({ field: `events[${i}]`, message: 'y'.repeat(10_000) })),
    });
    expect(bounded.message).toHaveLength(MAX_STATUS_MESSAGE_CHARS);
    expect(bounded.message).toMatch(/^No such tenant: x+…$/);
    expect(bounded.kind === 'expected' && bounded.fields).toHaveLength(MAX_FIELD_VIOLATIONS);
    if (bounded.kind === 'expected')
      for (const violation of bounded.fields ?? [])
        expect(violation.message).toHaveLength(MAX_VIOLATION_CHARS);
  });

  it('never leaves half of a surrogate pair at the cut', () => {
    const message = `${'a'.repeat(MAX_STATUS_MESSAGE_CHARS - 2)}😀😀`;
    const { message: cut } = withinMetadataLimits({ kind: 'bug', code: status.INTERNAL, message });
    expect((cut as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
  });
});
