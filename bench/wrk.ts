// Runs wrk (Debian's package) and parses what the benchmarks compare: requests/s and latency percentiles.
import { spawnSync } from 'node:child_process';

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function toMs(value: string): number {
  const match = value.match(/^([\d.]+)(us|ms|s)$/);
  if (!match) throw new Error(`unparseable wrk latency "${value}"`);
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
}

export function wrk(url: string, { connections = 50, seconds = 10, threads = 2 } = {}): WrkResult {
  const run = spawnSync(
    'wrk',
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '--latency', url],
    {
      encoding: 'utf8',
    },
  );
  if (run.error) throw new Error(`wrk not runnable (apt-get install wrk): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  const out = run.stdout;
  const rps = out.match(/Requests\/sec:\s+([\d.]+)/);
  const p50 = out.match(/^\s+50%\s+(\S+)$/m);
  const p99 = out.match(/^\s+99%\s+(\S+)$/m);
  if (!rps) throw new Error(`unexpected wrk output:\n${out}`);
  if (!p50 || !p99) throw new Error(`wrk completed no request in ${seconds}s:\n${out}`);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const socketErrors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return { requestsPerSecond: Number(rps[1]), p50Ms: toMs(p50[1]!), p99Ms: toMs(p99[1]!), errors };
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
