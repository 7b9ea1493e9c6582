/**
 * What a process (every thread of it) has used, from Linux's /proc: CPU time
 * from /proc/<pid>/stat, resident memory from /proc/<pid>/status (VmRSS),
 * write system calls from /proc/<pid>/io (syscw).
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export interface Usage {
  /** performance.now() when sampled. */
  at: number;
  cpuSeconds: number;
  rssBytes: number;
  /** Write system calls (write, writev, ...) so far: on loopback each costs far more than the bytes it carries. */
  writeCalls: number;
}

export function usageOf(pid: number): Usage {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces: the fields that follow start after its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  const writes = /^syscw: (\d+)/m.exec(fs.readFileSync(`/proc/${pid}/io`, "utf8"));
  return {
    at: performance.now(),
    cpuSeconds: ticks / CLOCK_TICKS,
    rssBytes: Number(rss?.[1] ?? 0) * 1024,
    writeCalls: Number(writes?.[1] ?? Number.NaN),
  };
}

/** CPU between two samples, in % of one core. */
export const cpuPercent = (before: Usage, after: Usage) => ((after.cpuSeconds - before.cpuSeconds) / ((after.at - before.at) / 1000)) * 100;
