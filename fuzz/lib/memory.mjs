// Memory of a service process after a full garbage collection, forced through its inspector
// (the services run with `--inspect` on a loopback port during a fuzz run), then RSS from /proc.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'undici';

async function devtools(inspectPort, timeoutMs = 10_000) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`inspector on ${inspectPort} refused`)), {
      once: true,
    });
  });
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${method} timed out`)), timeoutMs);
        pending.set(id, {
          resolve: (value) => (clearTimeout(timer), resolve(value)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

const round = (value) => Math.round(value * 10) / 10;

/**
 * Settles for `settleMs`, forces two full collections (the second frees what finalisers of the first
 * released) and reads RSS and the V8 heap in MiB.
 */
export async function sampleMemory({ pid, inspectPort }, settleMs) {
  await sleep(settleMs);
  const session = await devtools(inspectPort);
  try {
    await session.send('HeapProfiler.collectGarbage');
    await sleep(200);
    await session.send('HeapProfiler.collectGarbage');
    const { result } = await session.send('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const usage = JSON.parse(result.value);
    return { rssMiB: round(rssMiB(pid)), heapUsedMiB: round(usage.heapUsed / 2 ** 20) };
  } finally {
    session.close();
  }
}
