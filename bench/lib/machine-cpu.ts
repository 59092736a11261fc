import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU time goes during a measurement: every process the benchmark started,
 * PostgreSQL's and Redis's server processes, and the machine as a whole (the rest is the kernel's
 * network work, interrupts and anything else running). Read from /proc, so Linux only; elsewhere
 * `readCpu` returns null and the figures are left out.
 */
export interface CpuReading {
  /** Milliseconds of CPU time (user + system) by part, since each process started. */
  parts: Record<string, number>;
  /** The whole machine's busy milliseconds (all cores), and its elapsed wall milliseconds. */
  machineBusy: number;
  wallMs: number;
}

/** Named parts: a pid, or the command name of server processes whose times are summed. */
export type CpuParts = Record<string, { pid: number } | { command: string }>;

// USER_HZ, the unit of /proc's times: 100 on every Linux architecture Node supports.
const TICK_MS = 10;

function processTicks(pid: number): number {
  // The command name can hold spaces and parentheses: the fields start after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return Number(fields[11]) + Number(fields[12]);
}

function commandTicks(command: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) ticks += processTicks(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks;
}

function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

export function readCpu(parts: CpuParts): CpuReading | null {
  if (process.platform !== 'linux') return null;
  try {
    const out: Record<string, number> = {};
    for (const [name, part] of Object.entries(parts)) {
      out[name] = ('pid' in part ? processTicks(part.pid) : commandTicks(part.command)) * TICK_MS;
    }
    return { parts: out, machineBusy: machineBusyTicks() * TICK_MS, wallMs: performance.now() };
  } catch {
    return null;
  }
}

export interface CpuSpent {
  /** Milliseconds of CPU by part over the window. */
  parts: Record<string, number>;
  /** Milliseconds the machine was busy that no named part accounts for. */
  other: number;
  machineBusy: number;
  /** Busy share of all cores over the window, 0..1. */
  machineShare: number;
  wallMs: number;
}

export function cpuSpent(before: CpuReading | null, after: CpuReading | null, cores: number): CpuSpent | null {
  if (!before || !after) return null;
  const parts: Record<string, number> = {};
  for (const name of Object.keys(after.parts)) parts[name] = Math.max(0, after.parts[name]! - (before.parts[name] ?? 0));
  const machineBusy = after.machineBusy - before.machineBusy;
  const named = Object.values(parts).reduce((a, b) => a + b, 0);
  const wall = after.wallMs - before.wallMs;
  return { parts, other: Math.max(0, machineBusy - named), machineBusy, machineShare: wall > 0 ? machineBusy / (wall * cores) : Number.NaN, wallMs: wall };
}
