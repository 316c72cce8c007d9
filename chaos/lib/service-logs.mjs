// What the services said while the faults went on: warnings and errors per log file, the most
// frequent messages first, with ids and numbers folded so that one kind of message counts once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LEVEL = /\b(WARN|ERROR|FATAL)\b\s+(?:\[([^\]]+)\]\s+)?(.*)$/;
const MESSAGES_KEPT = 8;

/** A warning or error line: the services' own format, or the Kafka client's JSON lines. */
function parse(line) {
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line);
      const level = String(entry.level ?? '').toUpperCase();
      if (level !== 'WARN' && level !== 'ERROR') return undefined;
      const message = `${entry.msg ?? entry.message ?? ''}${entry.error ? ` (${entry.error})` : ''}`;
      return { level, context: entry.logger, message };
    } catch {
      return undefined;
    }
  }
  const match = LEVEL.exec(line);
  if (!match) return undefined;
  return { level: match[1] === 'WARN' ? 'WARN' : 'ERROR', context: match[2], message: match[3] };
}

function fold(message) {
  return message
    .replace(/\b(evt|delivery|wh|ten|req|key)_[A-Za-z0-9_]+/g, '$1_…')
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 240);
}

/** Per log file in `dir`: how many warnings and errors, and the most frequent messages. */
export function summariseServiceLogs(dir) {
  if (!existsSync(dir)) return {};
  const summary = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.log'))) {
    const counts = { WARN: 0, ERROR: 0 };
    const messages = new Map();
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const entry = parse(line);
      if (!entry) continue;
      counts[entry.level] += 1;
      const text = `${entry.level} ${entry.context ? `[${entry.context}] ` : ''}${fold(entry.message)}`;
      messages.set(text, (messages.get(text) ?? 0) + 1);
    }
    summary[file.replace(/\.log$/, '')] = {
      warnings: counts.WARN,
      errors: counts.ERROR,
      top: [...messages]
        .sort((a, b) => b[1] - a[1])
        .slice(0, MESSAGES_KEPT)
        .map(([message, count]) => ({ count, message })),
    };
  }
  return summary;
}
