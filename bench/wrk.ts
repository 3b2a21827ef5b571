import { execFile } from 'node:child_process';

// Runs wrk (Debian's package) and parses what the benchmarks compare: requests/s, p50/p99 and failures.
export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses wrk's text report (with --latency). Non-2xx/3xx answers and socket errors count as errors. */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`unexpected wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: Number(p50[1]) * (UNIT_MS[p50[2] ?? 'ms'] ?? 1),
    p99Ms: Number(p99[1]) * (UNIT_MS[p99[2] ?? 'ms'] ?? 1),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
  };
}

/** `timeoutSeconds`: wrk's per-request timeout (default 2 s), raised for slow origins such as the emulator. */
export function runWrk(
  url: string,
  connections: number,
  seconds: number,
  timeoutSeconds = 2,
): Promise<WrkResult> {
  const args = [
    `-t${Math.min(2, connections)}`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${timeoutSeconds}s`,
    '--latency',
    '-H',
    'Accept-Encoding: gzip',
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? 'wrk not found: run tools/install.sh apt' : `wrk failed: ${stderr}`));
        return;
      }
      resolve(parseWrk(stdout));
    });
  });
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
