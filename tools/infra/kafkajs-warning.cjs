// kafkajs 2.2.4 schedules a timer with a negative delay on every connection (upstream issue #1751);
// Node then warns although the behaviour is the intended "run soon". Scripts that use kafkajs call
// this once so that their output shows only warnings that mean something.
'use strict';

/** Drops Node's TimeoutNegativeWarning from this process's warnings; other warnings pass. */
function silenceNegativeTimeoutWarning() {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'TimeoutNegativeWarning' || warning?.name === 'TimeoutNegativeWarning') return;
    emitWarning(warning, ...rest);
  };
}

module.exports = { silenceNegativeTimeoutWarning };
