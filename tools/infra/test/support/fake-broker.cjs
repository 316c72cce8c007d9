// Stands in for the Java launcher of the start tests: answers `-version` like a JDK, and in place of
// `kafka.Kafka` runs a "broker" that never answers a Kafka request. While recovering it writes to the
// log file the real broker would write to; when stuck it stays alive and silent.
'use strict';

const fs = require('node:fs');

// `recovering` or `stuck`, fixed by the fake launcher; the rest are the launcher's own arguments.
const [mode, ...args] = process.argv.slice(2);
if (args[0] === '-version') {
  process.stderr.write('openjdk version "21.0.2" 2024-01-16\n');
  process.exit(0);
}

const config = args.find((arg) => arg.startsWith('-Dlog4j2.configurationFile='));
const log4j = fs.readFileSync(config.slice(config.indexOf('=') + 1), 'utf8');
const logFile = /^appender\.file\.fileName = (.*)$/m.exec(log4j)[1];
if (mode === 'stuck') {
  setInterval(() => {}, 60_000);
} else {
  let partition = 0;
  setInterval(() => {
    partition += 1;
    fs.appendFileSync(logFile, `INFO Completed load of log hookline.events-${partition} (LogLoader)\n`);
  }, 100);
}
