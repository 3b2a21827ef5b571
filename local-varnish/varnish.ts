import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { POLICY_DIR } from './policy-dir.js';
import { renderChartVarnish, type Backend, type Environment } from './chart-varnish.js';
import { spawnVarnishProcess, varnishRuntime, type RuntimeKind, type VarnishRuntime } from './runtime.js';

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
  /** Progress lines (e.g. the first build of the Varnish image). */
  progress?: (line: string) => void;
  /** Force one runtime (default: MAPS_VARNISH_RUNTIME, local-varnish/runtime.ts); the bench compares both. */
  runtime?: RuntimeKind;
  /** Profiling only (bench/cache/profile.ts): a command varnishd runs under, the image that has it, and what the
   * container needs for it (valgrind's vgdb uses ptrace). */
  prefix?: string[];
  image?: string;
  dockerArgs?: string[];
}

export interface RunningVarnish {
  url: string;
  workDir: string;
  /** Which varnishd runs (production's image or this machine's), and its version. */
  runtime: VarnishRuntime;
  /** The manager process, as the host sees it (its child, which serves requests, is its only child process). */
  pid: number;
  /** varnishstat counters, e.g. counters()['MAIN.backend_req']. */
  counters(): Promise<Record<string, number>>;
  /** `varnishadm -n <workDir> …` against this varnishd (in its runtime); resolves to its output. */
  adm(...args: string[]): Promise<string>;
  /** Runs another tool of the same runtime beside this varnishd (e.g. `du`, the exporter's one-shot checks). */
  exec(tool: string, args: string[]): Promise<string>;
  /** Starts a long-running tool of the same runtime beside it (e.g. prometheus-varnish-exporter). */
  spawnBeside(tool: string, args: string[]): ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts varnishd in the foreground (-F) as the chart runs it (site VCL, storage, parameters from `helm template`)
 * and resolves once it answers HTTP.
 */
export async function startVarnish(options: VarnishOptions): Promise<RunningVarnish> {
  const workDir = resolve(options.workDir);
  await mkdir(workDir, { recursive: true });
  const chosen = await varnishRuntime(options.progress, options.runtime);
  const runtime = options.image && chosen.kind === 'image' ? { ...chosen, image: options.image } : chosen;
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
    // Devbox's varnishd finds varnish-modules (another Nix package) only on this path (devbox.json).
    ...(runtime.kind === 'host' && process.env.VARNISH_VMOD_PATH
      ? ['-p', `vmod_path=${process.env.VARNISH_VMOD_PATH}`]
      : []),
  ];
  // The image runtime mounts the policy read-only and the working directory read-write, at the same paths.
  const varnishd = await spawnVarnishProcess(runtime, 'varnishd', args, {
    mounts: { readOnly: [POLICY_DIR], writable: [workDir] },
    cpus: options.cpus,
    prefix: options.prefix,
    dockerArgs: options.dockerArgs,
  });
  const child = varnishd.child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolveExit) => {
    child.on('error', (err) =>
      resolveExit(`varnishd could not start (${err.message}): run tools/install.sh apt`),
    );
    child.on('exit', (code, signal) => resolveExit(`varnishd exited (${code ?? signal}):\n${output}`));
  });

  const url = `http://127.0.0.1:${options.listenPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const state = await Promise.race([answers(url).then((ok) => (ok ? 'ready' : 'waiting')), exited]);
    if (state === 'ready') break;
    if (state !== 'waiting') throw new Error(state);
    if (Date.now() > deadline) {
      await varnishd.stop();
      throw new Error(`varnishd did not answer on ${url} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const adm = (...admArgs: string[]) => varnishd.exec('varnishadm', ['-n', workDir, ...admArgs]);
  return {
    url,
    workDir,
    runtime,
    pid: await varnishd.pid(),
    async counters() {
      const stdout = await varnishd.exec('varnishstat', ['-n', workDir, '-1', '-j']);
      const parsed = JSON.parse(stdout) as { counters: Record<string, { value: number }> };
      return Object.fromEntries(Object.entries(parsed.counters).map(([name, c]) => [name, c.value]));
    },
    adm,
    exec: varnishd.exec,
    spawnBeside: varnishd.spawnBeside,
    stop: varnishd.stop,
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
