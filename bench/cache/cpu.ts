import { readdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

// CPU time a server spends, read from /proc: load-robust where throughput is not (on a shared machine the
// scheduler decides req/s; CPU seconds per answer barely move with what the other tenants run).

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at "state" (field 3).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

async function descendants(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(Number(entry));
    if (fields) parentOf.set(Number(entry), Number(fields[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, parent] of parentOf) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** User + system CPU seconds used so far by a process and all its descendants (varnishd's child, nginx workers). */
export async function treeCpuSeconds(root: number): Promise<number> {
  let ticks = 0;
  for (const pid of await descendants(root)) {
    const fields = await statFields(pid);
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, 11 and 12 counted from "state".
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** The 1-minute load average, printed beside every measurement. */
export const load1 = () => loadavg()[0]!;
