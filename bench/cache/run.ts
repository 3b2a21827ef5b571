/**
 * Cache benchmark: node --import tsx bench/cache/run.ts [--seconds 5] [--rounds 3] [--api-url URL]
 * Prints, from one run: Varnish hit ÷ nginx proxy_cache hit, Varnish hit ÷ Varnish synthetic, backend fetches for
 * 200 concurrent cold requests, hit p99 at 50 connections; with --api-url (a full URL served by the real API),
 * also Varnish hit ÷ API direct for that URL. wrk shares the CPU with the servers: compare ratios, not absolutes.
 */
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_TILESET, startSeededEmulator } from '@maps-api/emulator';
import { startVarnish, type RunningVarnish } from '../../local-varnish/varnish.js';
import { startApi } from '../../stack/api-process.js';
import { startNginx } from './nginx.js';
import { startOrigin } from './origin.js';
import { parseCli, wholeNumber } from '../../tools/cli.js';
import { runWrk, type WrkResult } from '../wrk.js';

const usage = `Usage: npm run bench:cache -- [--seconds N] [--rounds N] [--connections N] [--api-url URL]
Varnish hit ÷ nginx proxy_cache hit, Varnish hit ÷ Varnish synthetic, backend fetches for 200 concurrent cold requests
and hit p99, all on loopback; with --api-url also Varnish hit ÷ API direct for that URL.
  --seconds N       length of each wrk run (default 5)
  --rounds N        alternating rounds per comparison (default 3)
  --connections N   wrk connections (default 50)
  --api-url URL     a full URL served by the real API (default: start the emulator and one API process)
  -h, --help        print this help`;
const values = parseCli(usage, {
  seconds: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '3' },
  connections: { type: 'string', default: '50' },
  'api-url': { type: 'string' },
});
const seconds = wholeNumber(usage, 'seconds', values.seconds);
const rounds = wholeNumber(usage, 'rounds', values.rounds);
const connections = wholeNumber(usage, 'connections', values.connections);
const COLD_CLIENTS = 200;
const PORTS = { varnish: 18_080, synthetic: 18_081, nginx: 18_082, apiVarnish: 18_083 };

const work = await mkdtemp(join(tmpdir(), 'bench-cache-'));
const origin = await startOrigin(300);
const stops: (() => Promise<unknown>)[] = [];
try {
  // Production's site VCL, storage sizes and varnishd parameters, rendered by the chart (helm template).
  const varnishOptions = { environment: 'production' } as const;
  const varnish = await startVarnish({
    ...varnishOptions,
    backends: [{ host: '127.0.0.1', port: origin.port }],
    listenPort: PORTS.varnish,
    workDir: join(work, 'varnish'),
  });
  stops.push(varnish.stop);
  const synthetic = await startVarnish({
    ...varnishOptions,
    backends: [],
    listenPort: PORTS.synthetic,
    workDir: join(work, 'synthetic'),
    siteVcl: syntheticVcl(origin.tile.length),
  });
  stops.push(synthetic.stop);
  stops.push(await startNginx(join(work, 'nginx'), PORTS.nginx, origin.port));

  const tileUrl = (port: number) => `http://127.0.0.1:${port}/maps/tileset/bench.bench.tiles/10/512/384`;
  for (const port of [PORTS.varnish, PORTS.nginx]) {
    await get(tileUrl(port));
    const status = (await get(tileUrl(port))).cache;
    if (status !== 'HIT')
      throw new Error(`warm-up on port ${port} did not give a cache hit (X-Cache: ${status})`);
  }

  const best: Record<string, WrkResult> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const [name, port] of [
      ['varnish hit', PORTS.varnish],
      ['nginx hit', PORTS.nginx],
      ['varnish synthetic', PORTS.synthetic],
    ] as const) {
      const result = await runWrk(tileUrl(port), connections, seconds);
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} failed requests`);
      console.log(
        `round ${round} ${name.padEnd(18)} ${result.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${result.p99Ms.toFixed(2)} ms`,
      );
      if (!best[name] || result.requestsPerSec > best[name].requestsPerSec) best[name] = result;
    }
  }

  const varnishCold = await coldFetches(varnish.url, '/cold/varnish', origin.fetchesOf);
  const nginxCold = await coldFetches(`http://127.0.0.1:${PORTS.nginx}`, '/cold/nginx', origin.fetchesOf);
  const api = await apiDirect(values['api-url'] ?? (await startRealApi()), work, varnishOptions);

  const hit = best['varnish hit']!;
  const rows: [string, string, string][] = [
    ['Varnish hit ÷ nginx proxy_cache hit', ratio(hit, best['nginx hit']!), '≥ 1.0'],
    ['Varnish hit ÷ Varnish synthetic', ratio(hit, best['varnish synthetic']!), '≥ 0.8'],
    ['Varnish hit ÷ API direct', ratio(api.viaVarnish, api.direct), '≥ 50'],
    [`Backend fetches, ${COLD_CLIENTS} concurrent cold requests (Varnish)`, String(varnishCold), '= 1'],
    [
      `Backend fetches, ${COLD_CLIENTS} concurrent cold requests (nginx, for reference)`,
      String(nginxCold),
      '—',
    ],
    [`Varnish hit p99 at ${connections} connections`, `${hit.p99Ms.toFixed(2)} ms`, '≤ 2 ms'],
    ['Varnish hit throughput', `${hit.requestsPerSec.toFixed(0)} req/s`, '—'],
    ['nginx proxy_cache hit throughput', `${best['nginx hit']!.requestsPerSec.toFixed(0)} req/s`, '—'],
    ['Varnish synthetic throughput', `${best['varnish synthetic']!.requestsPerSec.toFixed(0)} req/s`, '—'],
  ];
  rows.push(['API direct throughput (API + emulator)', `${api.direct.requestsPerSec.toFixed(0)} req/s`, '—']);
  rows.push([
    'Varnish hit throughput on the API URL',
    `${api.viaVarnish.requestsPerSec.toFixed(0)} req/s`,
    '—',
  ]);
  console.log(
    `\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · wrk -t2 -c${connections} -d${seconds}s, best of ${rounds} rounds, ${origin.tile.length}-byte gzip tile, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('| figure | measured | goal |\n|---|---|---|');
  for (const [figure, measured, goal] of rows) console.log(`| ${figure} | ${measured} | ${goal} |`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await origin.close();
  await rm(work, { recursive: true, force: true });
}

function ratio(a: WrkResult, b: WrkResult): string {
  // On a saturated machine the slow API-direct run can complete nothing in its window: no ratio, say so.
  if (!(a.requestsPerSec > 0 && b.requestsPerSec > 0)) return 'n/a (a side completed no request)';
  return (a.requestsPerSec / b.requestsPerSec).toFixed(2);
}

/** The server's own ceiling: a synthetic answer of the tile's size straight from vcl_recv. */
function syntheticVcl(bytes: number): string {
  return `vcl 4.1;
backend default none;
sub vcl_recv { return (synth(200)); }
sub vcl_synth {
    set resp.http.Content-Type = "application/vnd.mapbox-vector-tile";
    set resp.body = "${'x'.repeat(bytes)}";
    return (deliver);
}
`;
}

async function get(url: string, agent?: Agent): Promise<{ status: number; cache: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: res.headers['x-cache'] as string }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Fires COLD_CLIENTS simultaneous requests for one uncached URL; returns how many reached the origin. */
async function coldFetches(base: string, path: string, fetchesOf: (path: string) => number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: COLD_CLIENTS });
  const answers = await Promise.all(Array.from({ length: COLD_CLIENTS }, () => get(`${base}${path}`, agent)));
  agent.destroy();
  const failed = answers.filter((a) => a.status !== 200).length;
  if (failed > 0) throw new Error(`${path}: ${failed} of ${COLD_CLIENTS} cold requests failed`);
  return fetchesOf(path);
}

/** Without --api-url: the seeded emulator and one real API process; returns a sample tile URL on it. */
async function startRealApi(): Promise<string> {
  const emulator = await startSeededEmulator();
  stops.push(emulator.stop);
  const api = await startApi({ env: { BIGQUERY_EMULATOR_HOST: emulator.host, LOG_LEVEL: 'warn' } });
  stops.push(api.stop);
  return `${api.url}/maps/tileset/${SAMPLE_TILESET}/14/8023/6177`;
}

/** wrk on the API URL directly (slow origin: long wrk timeout), then through a Varnish in front of that API. */
async function apiDirect(apiUrl: string, work: string, chart: { environment: 'production' }) {
  const target = new URL(apiUrl);
  const direct = await runWrk(apiUrl, connections, seconds, 30);
  const front: RunningVarnish = await startVarnish({
    ...chart,
    backends: [{ host: target.hostname, port: Number(target.port || 80) }],
    listenPort: PORTS.apiVarnish,
    workDir: join(work, 'api-varnish'),
  });
  stops.push(front.stop);
  const viaUrl = `${front.url}${target.pathname}${target.search}`;
  await get(viaUrl);
  const viaVarnish = await runWrk(viaUrl, connections, seconds);
  console.log(
    `api direct ${direct.requestsPerSec.toFixed(0)} req/s, via Varnish ${viaVarnish.requestsPerSec.toFixed(0)} req/s`,
  );
  return { direct, viaVarnish };
}
