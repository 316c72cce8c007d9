import { describeFailure, redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('masks the password of a URL but keeps user, host and database', () => {
    expect(redactSecrets('could not reach postgres://hook:s3cr3t@db.internal:5432/hookline')).toBe(
      'could not reach postgres://hook:***@db.internal:5432/hookline',
    );
  });

  it('masks key=value secrets', () => {
    expect(redactSecrets('host=db password=hunter2 user=x')).toBe('host=db password=*** user=x');
    expect(redactSecrets("token: 'abc def'")).toBe('token: ***');
  });

  it('leaves text without secrets unchanged', () => {
    expect(redactSecrets('connect ECONNREFUSED 127.0.0.1:5432')).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});

describe('describeFailure', () => {
  it('joins the causes of a message-less AggregateError', () => {
    const error = new AggregateError([
      new Error('connect ECONNREFUSED ::1:1'),
      new Error('connect ECONNREFUSED 127.0.0.1:1'),
    ]);
    expect(describeFailure(error)).toBe('connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
  });

  it('falls back to the error code, then to a placeholder', () => {
    expect(describeFailure(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(describeFailure(undefined)).toBe('unknown error');
  });

  it('redacts what it describes', () => {
    expect(describeFailure(new Error('bad url postgresql://u:pw@h/db'))).toBe(
      'bad url postgresql://u:***@h/db',
    );
  });
});
