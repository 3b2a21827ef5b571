import { execFile, execFileSync } from 'node:child_process';

// Runs wrk (Debian's package) and parses what the benchmarks compare: requests/s, p50/p99 and failures.
export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Requests completed in the run. */
  requests: number;
  /** Bytes read per answer (headers and body), to check that servers compared send the same answer. */
  bytesPerAnswer: number;
}

/** wrk's own CPU seconds, when runWrk measured them: a load generator near 100 % of its CPUs is the bottleneck. */
export interface MeasuredWrk extends WrkResult {
  wrkCpuSeconds: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Parses wrk's text report (with --latency). Non-2xx/3xx answers and socket errors count as errors. */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`unexpected wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const total = /^\s*(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read/m.exec(output);
  const requests = Number(total?.[1] ?? 0);
  const bytes = Number(total?.[2] ?? 0) * (BYTES[total?.[3] ?? 'B'] ?? 1);
  return {
    requests,
    bytesPerAnswer: requests > 0 ? bytes / requests : 0,
    requestsPerSec: Number(rps[1]),
    p50Ms: Number(p50[1]) * (UNIT_MS[p50[2] ?? 'ms'] ?? 1),
    p99Ms: Number(p99[1]) * (UNIT_MS[p99[2] ?? 'ms'] ?? 1),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
  };
}

/**
 * `timeoutSeconds`: wrk's per-request timeout (default 2 s), raised for slow origins such as the emulator.
 * `cpus`: a `taskset -c` list for wrk (default: any CPU); `threads`: wrk threads (default 2).
 */
export function runWrk(
  url: string,
  connections: number,
  seconds: number,
  timeoutSeconds = 2,
  { cpus, threads = 2 }: { cpus?: string; threads?: number } = {},
): Promise<MeasuredWrk> {
  const args = [
    `-t${Math.min(threads, connections)}`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${timeoutSeconds}s`,
    '--latency',
    '-H',
    'Accept-Encoding: gzip',
    url,
  ];
  // A shell runs wrk and then prints its own /proc stat: cutime + cstime (fields 16, 17) are wrk's CPU time.
  const script = `command -v wrk >/dev/null || exit 127; ${cpus ? 'taskset -c "$0" ' : ''}wrk "$@" || exit $?; read -r s < /proc/$$/stat; echo "wrk-cpu-ticks $s"`;
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script, cpus ?? 'sh', ...args], (error, stdout, stderr) => {
      if (error) {
        const missing = error.code === 127;
        reject(
          new Error(missing ? 'wrk not found: run tools/install.sh test-packages' : `wrk failed: ${stderr}`),
        );
        return;
      }
      const stat = /^wrk-cpu-ticks .*\) (.*)$/m.exec(stdout)?.[1]?.split(' ') ?? [];
      // Counted from "state" (field 3 of /proc/<pid>/stat): cutime is field 16, cstime 17.
      const ticks = Number(stat[13]) + Number(stat[14]);
      resolve({ ...parseWrk(stdout), wrkCpuSeconds: ticks / TICKS_PER_SECOND });
    });
  });
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
