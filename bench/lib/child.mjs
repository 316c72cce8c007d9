// Helper processes of the benchmark (receivers, baselines), driven by request/answer messages.
import { fork } from 'node:child_process';
import { once } from 'node:events';

/**
 * Forks `script` with an IPC channel (structured-clone serialisation, so Buffers and large arrays
 * cross cheaply) and resolves once it says `ready`. `call(op, args)` sends a request and resolves
 * with the answer; pushed messages (no id) go to `onPush`.
 */
export async function startChild(script, { args = [], env = {}, execArgv = [], onPush = () => {} } = {}) {
  const child = fork(script, args, {
    env: { ...process.env, ...env },
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${script} exited early (${signal ?? code})`)));
    child.on('message', (message) => {
      if (message.op === 'ready') return resolve();
      if (message.id === undefined) return onPush(message);
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message);
      else waiter.reject(new Error(message.error));
    });
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited (${signal ?? code})`));
    pending.clear();
  });
  await ready;
  return {
    pid: child.pid,
    process: child,
    call(op, payload = {}) {
      if (exited) return Promise.reject(new Error(`${script} is not running`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, op, ...payload });
      });
    },
    async stop() {
      if (exited) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
