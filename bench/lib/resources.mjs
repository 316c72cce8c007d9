// CPU time and peak memory of processes, read from /proc (Linux).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setInterval, clearInterval } from 'node:timers';

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User+system CPU ticks of a process (all its threads), or `undefined` when it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0], utime [11], stime [12].
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM (peak resident set) of a process in KiB. */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const read = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: read('VmRSS'), hwmKb: read('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Resets a process's peak RSS to its current RSS, so the peak of a window can be read. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = values.map(Number);
  const total = numbers.reduce((a, b) => a + b, 0);
  const idle = numbers[3] + (numbers[4] ?? 0);
  return { busy: total - idle, total };
}

/** Pids of every process with this command name (e.g. all PostgreSQL server processes). */
export function pidsNamed(name) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Gone between listing and reading.
    }
  }
  return pids;
}

/**
 * Measures a window: each named process's average CPU (in cores) and peak RSS over it, and how busy
 * the machine as a whole was. `groups` are summed CPU only (e.g. all PostgreSQL processes).
 */
export function startResourceWindow(processes, { groups = [], sampleMs = 250 } = {}) {
  const started = performance.now();
  const machineStart = machineTicks();
  const tracked = processes
    .filter((p) => p.pid)
    .map((p) => {
      const peakReset = resetPeak(p.pid);
      const mem = memory(p.pid);
      return { ...p, ticks: cpuTicks(p.pid), peakReset, maxRssKb: mem?.rssKb ?? 0 };
    });
  const groupStarts = groups.map((g) => ({
    ...g,
    ticks: new Map(g.pids.map((pid) => [pid, cpuTicks(pid)])),
  }));
  const timer = setInterval(() => {
    for (const p of tracked) {
      const mem = memory(p.pid);
      if (mem) p.maxRssKb = Math.max(p.maxRssKb, mem.rssKb);
    }
  }, sampleMs);
  return {
    /** Ends the window and returns the figures. */
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      const hz = ticksPerSecond();
      const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
      const result = {};
      for (const p of tracked) {
        const end = cpuTicks(p.pid);
        const mem = memory(p.pid);
        const peakKb = Math.max(p.maxRssKb, p.peakReset && mem ? mem.hwmKb : 0);
        result[p.name] = {
          pid: p.pid,
          cpuCores: end === undefined || p.ticks === undefined ? null : round((end - p.ticks) / hz / seconds),
          peakRssMiB: round(peakKb / 1024, 1),
          peakFrom: p.peakReset ? 'VmHWM since the window began' : 'sampled VmRSS',
        };
      }
      for (const g of groupStarts) {
        let ticks = 0;
        for (const [pid, start] of g.ticks) {
          const end = cpuTicks(pid);
          if (start !== undefined && end !== undefined) ticks += end - start;
        }
        result[g.name] = { pids: g.pids.length, cpuCores: round(ticks / hz / seconds), peakRssMiB: null };
      }
      const machineEnd = machineTicks();
      const busyFraction =
        (machineEnd.busy - machineStart.busy) / Math.max(1, machineEnd.total - machineStart.total);
      const listed = Object.values(result).reduce((sum, p) => sum + (p.cpuCores ?? 0), 0);
      return {
        seconds: round(seconds, 1),
        machineCpuBusyPercent: round(100 * busyFraction, 1),
        // Everything else the machine ran meanwhile (other users' work included): the noise floor.
        otherProcessesCores: round(Math.max(0, busyFraction * cpus().length - listed)),
        processes: result,
      };
    },
  };
}
