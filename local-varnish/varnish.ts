import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { POLICY_DIR } from './policy-dir.js';
import { renderChartVarnish, type Backend, type Environment } from './chart-varnish.js';

const run = promisify(execFile);

export interface VarnishOptions {
  backends: Backend[];
  listenPort: number;
  /** varnishd's -n directory (created if missing); site.vcl is written there too. */
  workDir: string;
  /** Whose chart values give the site VCL, storage sizes and -p parameters (default dev). */
  environment?: Environment;
  /** CIDRs allowed to PURGE/BAN besides loopback (chart value varnish.purgers). */
  purgers?: string[];
  /** Smaller storage than the chart's, for tests that start many varnishds. */
  mallocMb?: number;
  transientMb?: number;
  /** Replace the rendered site VCL (e.g. a synthetic-only VCL for benchmarks). */
  siteVcl?: string;
  /** `-p name=value` runtime parameters added to (or replacing) the chart's. */
  params?: Record<string, string>;
  /** CPUs varnishd may run on (`taskset -c` list, e.g. "1" or "0,1"): benchmarks give every server the same set. */
  cpus?: string;
  readyTimeoutMs?: number;
}

export interface RunningVarnish {
  url: string;
  workDir: string;
  /** The manager process (its child, which serves requests, is the manager's only child process). */
  pid: number;
  /** varnishstat counters, e.g. counters()['MAIN.backend_req']. */
  counters(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Starts varnishd in the foreground (-F) as the chart runs it (site VCL, storage, parameters from `helm template`)
 * and resolves once it answers HTTP.
 */
export async function startVarnish(options: VarnishOptions): Promise<RunningVarnish> {
  const workDir = resolve(options.workDir);
  await mkdir(workDir, { recursive: true });
  const sitePath = join(workDir, 'site.vcl');
  const chart = renderChartVarnish({
    environment: options.environment,
    // A custom site VCL brings its own backends; the chart still gives storage and parameters.
    backends: options.siteVcl ? [{ host: '127.0.0.1', port: 1 }] : options.backends,
    purgers: options.purgers,
  });
  await writeFile(sitePath, options.siteVcl ?? chart.siteVcl);
  const params = { ...chart.params, ...options.params };

  // prettier-ignore
  const args = [
    '-F',
    '-n', workDir,
    '-j', 'none',
    '-a', `127.0.0.1:${options.listenPort}`,
    '-T', '127.0.0.1:0',
    '-f', sitePath,
    '-p', `vcl_path=${POLICY_DIR}`,
    '-s', `malloc,${options.mallocMb ?? chart.mallocMb}M`,
    '-s', `Transient=malloc,${options.transientMb ?? chart.transientMb}M`,
    '-l', `${chart.vslSpaceMb}M`,
    ...Object.entries(params).flatMap(([name, value]) => ['-p', `${name}=${value}`]),
  ];
  const [command, ...commandArgs] = options.cpus
    ? ['taskset', '-c', options.cpus, 'varnishd', ...args]
    : ['varnishd', ...args];
  const child = spawn(command!, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolveExit) => {
    child.on('error', (err) =>
      resolveExit(`varnishd could not start (${err.message}): run tools/install.sh apt`),
    );
    child.on('exit', (code, signal) => resolveExit(`varnishd exited (${code ?? signal}):\n${output}`));
  });

  const url = `http://127.0.0.1:${options.listenPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    const state = await Promise.race([answers(url).then((ok) => (ok ? 'ready' : 'waiting')), exited]);
    if (state === 'ready') break;
    if (state !== 'waiting') throw new Error(state);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`varnishd did not answer on ${url} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    workDir,
    pid: child.pid!,
    async counters() {
      const { stdout } = await run('varnishstat', ['-n', workDir, '-1', '-j']);
      const parsed = JSON.parse(stdout) as { counters: Record<string, { value: number }> };
      return Object.fromEntries(Object.entries(parsed.counters).map(([name, c]) => [name, c.value]));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** True once varnishd answers any HTTP response (a 503 with no backend up still means Varnish is serving). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const req = request(`${url}/healthz`, { method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolveAnswer(true);
    });
    req.on('error', () => resolveAnswer(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
