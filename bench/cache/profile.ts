/**
 * Where a cache hit spends, counted rather than timed: user-space instructions per hit from valgrind's callgrind
 * (repeatable whatever else the machine runs). Production's Varnish image (plus valgrind) with the chart's production
 * VCL and parameters; optionally this machine's own varnishd and nginx proxy_cache (one worker) beside it.
 *   npm run bench:cache-profile -- [--hits N] [--connections N] [--host-varnish] [--nginx] [--keep DIR]
 * Each server runs twice under callgrind: warm the tile, N hits over keep-alive connections (every answer must be a
 * HIT), stop; then warm, idle for as long, stop. (hits − idle) ÷ N of the busiest process (the one serving: Varnish's
 * child, nginx's worker) is reported. --keep leaves the callgrind files in DIR for callgrind_annotate.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { docker, varnishImage } from '../../local-varnish/runtime.js';
import { startVarnish, type RunningVarnish } from '../../local-varnish/varnish.js';
import { parseCli, wholeNumber } from '../../tools/cli.js';
import { startNginx } from './nginx.js';
import { startOrigin } from './origin.js';

process.env.MAPS_VARNISH_RUNTIME = 'image';
const run = promisify(execFile);
const usage = `Usage: npm run bench:cache-profile -- [--hits N] [--connections N] [--host-varnish] [--nginx] [--keep DIR]
User-space instructions per cache hit (valgrind callgrind), counted, not timed: production's Varnish image with the
chart's production VCL and parameters, and optionally this machine's varnishd and nginx proxy_cache.
  --hits N          hits per server (default 20000)
  --connections N   keep-alive connections sending them (default 1: the same path every request, repeatable)
  --host-varnish    also this machine's own varnishd, same VCL and parameters
  --nginx           also nginx proxy_cache (bench/cache/nginx.ts, one worker)
  --keep DIR        keep the callgrind files in DIR (for callgrind_annotate)
  -h, --help        print this help`;
const values = parseCli(usage, {
  hits: { type: 'string', default: '20000' },
  connections: { type: 'string', default: '1' },
  'host-varnish': { type: 'boolean', default: false },
  nginx: { type: 'boolean', default: false },
  keep: { type: 'string' },
});
const hits = wholeNumber(usage, 'hits', values.hits);
const connections = wholeNumber(usage, 'connections', values.connections);
const TILE = '/maps/tileset/bench.bench.tiles/10/512/384';
let starts = 0;
let runs = 0;

const work = await mkdtemp(join(tmpdir(), 'bench-profile-'));
const origin = await startOrigin(0);
const results: [string, number][] = [];
try {
  const image = await profilingImage();
  const targets: [string, () => Promise<Server>][] = [
    [`Varnish (image)`, () => varnishServer('image', image)],
  ];
  if (values['host-varnish']) targets.push([`Varnish (this machine)`, () => varnishServer('host')]);
  if (values.nginx) targets.push(['nginx proxy_cache', nginxServer]);
  for (const [name, start] of targets) {
    const busy = await start();
    const started = Date.now();
    await warmAnd(busy, () => sendHits(busy.url));
    const elapsedMs = Date.now() - started;
    const idle = await start();
    await warmAnd(idle, () => new Promise((r) => setTimeout(r, elapsedMs)));
    const perHit = ((await busiest(busy)) - (await busiest(idle))) / hits;
    console.log(`${name} ${busy.version}: ${Math.round(perHit).toLocaleString('en')} instructions per hit`);
    results.push([`${name} ${busy.version}`, perHit]);
  }
  console.log(
    `\n${new Date().toISOString()} · ${hits} hits over ${connections} connections · ${origin.tile.length}-byte gzip tile\n`,
  );
  console.log('| server | user-space instructions per hit |\n|---|---|');
  for (const [name, perHit] of results) console.log(`| ${name} | ${(perHit / 1000).toFixed(1)} k |`);
} finally {
  await origin.close();
  await rm(work, { recursive: true, force: true });
}

interface Server {
  url: string;
  version: string;
  outDir: string;
  stop(): Promise<void>;
}

function valgrind(outDir: string): string[] {
  return [
    'valgrind',
    '--tool=callgrind',
    '--dump-instr=no',
    `--callgrind-out-file=${outDir}/callgrind.out.%p`,
  ];
}

/** The Varnish image plus valgrind (from the Debian mirror, once per image). */
async function profilingImage(): Promise<string> {
  const base = await varnishImage((line) => console.log(line));
  const tag = `${base}-callgrind`;
  const present = await docker(['image', 'inspect', tag]).then(
    () => true,
    () => false,
  );
  if (!present) {
    const context = join(work, 'image');
    await mkdir(context);
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${base}\nUSER 0\nRUN apt-get update && apt-get install -y --no-install-recommends valgrind && rm -rf /var/lib/apt/lists/*\n`,
    );
    console.log(`building ${tag} (valgrind on top of the Varnish image)`);
    await docker(['build', '-q', '-t', tag, context], 1_800_000);
  }
  return tag;
}

async function varnishServer(runtime: 'image' | 'host', image?: string): Promise<Server> {
  const dir = join(work, `varnish-${runtime}-${++starts}`);
  const outDir = join(dir, 'callgrind');
  await mkdir(outDir, { recursive: true });
  const varnish: RunningVarnish = await startVarnish({
    environment: 'production',
    runtime,
    image,
    prefix: valgrind(outDir),
    backends: [{ host: '127.0.0.1', port: origin.port }],
    listenPort: runtime === 'image' ? 18_090 : 18_091,
    workDir: dir,
    readyTimeoutMs: 600_000,
  });
  return {
    url: varnish.url,
    version: varnish.runtime.version,
    outDir,
    stop: varnish.stop,
  };
}

async function nginxServer(): Promise<Server> {
  const dir = join(work, `nginx-${++starts}`);
  const outDir = join(dir, 'callgrind');
  await mkdir(outDir, { recursive: true });
  const port = 18_092;
  const nginx = await startNginx(dir, port, origin.port, { cpus: '0', prefix: valgrind(outDir) });
  // nginx -v prints to standard error.
  const { stderr } = await run('nginx', ['-v']);
  return {
    url: `http://127.0.0.1:${port}`,
    version: /nginx\/(\S+)/.exec(stderr)?.[1] ?? '',
    outDir,
    stop: nginx.stop,
  };
}

/** Warms the tile, does `work`, stops the server (callgrind writes each process's totals as it exits). */
async function warmAnd(server: Server, work: () => Promise<unknown>): Promise<void> {
  try {
    await get(server.url, new Agent());
    await get(server.url, new Agent());
    await work();
  } finally {
    await server.stop();
  }
  if (values.keep) {
    const kept = join(values.keep, `run-${++runs}`);
    await mkdir(kept, { recursive: true });
    await run('cp', ['-r', server.outDir, kept]);
  }
}

/** Instructions of the busiest process of a run (callgrind.out.<pid>, written at its exit). */
async function busiest(server: Server): Promise<number> {
  let most = 0;
  for (const file of await readdir(server.outDir)) {
    if (!/^callgrind\.out\.\d+$/.test(file)) continue;
    const text = await readFile(join(server.outDir, file), 'utf8');
    most = Math.max(most, Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? 0));
  }
  if (most === 0) throw new Error(`no callgrind totals in ${server.outDir}`);
  return most;
}

async function sendHits(url: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let sent = 0;
  const worker = async () => {
    while (sent < hits) {
      sent++;
      const cache = await get(url, agent);
      if (cache !== 'HIT') throw new Error(`expected a HIT, got X-Cache ${cache}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
}

function get(url: string, agent: Agent): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${TILE}`, { agent, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(res.headers['x-cache'] as string | undefined)
          : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
