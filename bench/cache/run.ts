/**
 * Cache benchmark: node --import tsx bench/cache/run.ts [--seconds 5] [--rounds 5] [--warmup 1] [--api-url URL]
 * Prints, from one run: Varnish hit ÷ nginx proxy_cache hit and hit p99 ÷ nginx hit p99 (medians of paired rounds,
 * with their spread), Varnish hit ÷ Varnish synthetic, server CPU per answer, backend fetches for 200 concurrent
 * cold requests, hit p99 at 50 connections; with the real API, also Varnish hit ÷ API direct. wrk shares the machine
 * with the servers and with everyone else's work: compare ratios, not absolutes, and read the load averages.
 */
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_TILESET, startSeededEmulator } from '@maps-api/emulator';
import { docker } from '../../local-varnish/runtime.js';
import { startVarnish, type RunningVarnish } from '../../local-varnish/varnish.js';
import { startApi } from '../../stack/api-process.js';
import { benchNginxImage, cpuCount, startNginx } from './nginx.js';
import { startOrigin } from './origin.js';
import { load1, treeCpuSeconds } from './cpu.js';
import { median, pairedRounds, type Sample } from './rounds.js';
import { EXIT_USAGE, parseCli, wholeNumber } from '../../tools/cli.js';
import { runWrk, type WrkResult } from '../wrk.js';
import { useInstalledTools } from '../../tools/tools-path.js';

useInstalledTools(); // varnishd and nginx as tools/install.sh linked them (Debian: /usr/sbin)

// Production's Varnish: the image (local-varnish/runtime.ts), whatever the caller's environment says.
process.env.MAPS_VARNISH_RUNTIME = 'image';
const allCpus = `0-${cpus().length - 1}`;
const usage = `Usage: npm run bench:cache -- [--seconds N] [--rounds N] [--warmup N] [--connections N]
                               [--server-cpus LIST] [--wrk-cpus LIST] [--hit-only] [--api-url URL]
                               [--also-image TAG] [--quiet-load X] [--wait-quiet SECONDS] [--allow-busy]
Varnish hit ÷ nginx proxy_cache hit and p99 ÷ p99 (median of paired rounds, Varnish and nginx alternating
ABBA so load drift hits both), Varnish hit ÷ Varnish synthetic, server CPU per answer, backend fetches for 200
concurrent cold requests, all on loopback; also Varnish hit ÷ API direct (a real API on the seeded emulator).
  --seconds N          length of each wrk run (default 5)
  --rounds N           measured rounds; each runs Varnish, nginx and the synthetic Varnish once (default 5)
  --warmup N           rounds run first and discarded (default 1)
  --connections N      wrk connections (default 50)
  --server-cpus LIST   CPUs (taskset -c list) every server may use, the same for all (default ${allCpus})
  --wrk-cpus LIST      CPUs wrk may use (default ${allCpus}); wrk runs one thread per CPU, at most 2
  --hit-only           only the hit comparison (no cold-request and API-direct parts)
  --api-url URL        a full URL served by the real API (default: start the emulator and one API process)
  --also-image TAG     also measure another Varnish image with the same VCL and parameters, in the same rounds
                       (e.g. one built from Debian 12's 7.1, against production's 7.7)
  --quiet-load X       the 1-minute load average a run may start at (default 1.0: other work skews every ratio)
  --wait-quiet SECONDS wait up to this long for the load to fall to --quiet-load (default 300)
  --allow-busy         start anyway on a busy machine; every result line is then marked BUSY START
  -h, --help           print this help
Both servers run in containers the same way (host network, the same CPU set, Docker's cgroup): Varnish is
production's image (images/varnish), nginx Debian 13's; the run refuses to start (exit 3) while the load is above
--quiet-load, unless --allow-busy.`;
const values = parseCli(usage, {
  seconds: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '5' },
  warmup: { type: 'string', default: '1' },
  connections: { type: 'string', default: '50' },
  'server-cpus': { type: 'string', default: allCpus },
  'wrk-cpus': { type: 'string', default: allCpus },
  'hit-only': { type: 'boolean', default: false },
  'api-url': { type: 'string' },
  'also-image': { type: 'string' },
  'quiet-load': { type: 'string', default: '1.0' },
  'wait-quiet': { type: 'string', default: '300' },
  'allow-busy': { type: 'boolean', default: false },
});
const seconds = wholeNumber(usage, 'seconds', values.seconds);
const rounds = wholeNumber(usage, 'rounds', values.rounds);
const warmup = wholeNumber(usage, 'warmup', values.warmup, 0);
const connections = wholeNumber(usage, 'connections', values.connections);
const serverCpus = cpuList('server-cpus', values['server-cpus']);
const wrkCpus = cpuList('wrk-cpus', values['wrk-cpus']);
const wrkThreads = Math.min(2, cpuCount(wrkCpus));
const quietLoad = Number(values['quiet-load']);
if (!(quietLoad > 0)) {
  console.error(`--quiet-load must be a positive number, got '${values['quiet-load']}'\n\n${usage}`);
  process.exit(EXIT_USAGE);
}
const waitQuietSeconds = wholeNumber(usage, 'wait-quiet', values['wait-quiet'], 0);
const COLD_CLIENTS = 200;
// Headers each server adds by itself (not policy): everything else must be the same on both answers.
const SERVER_OWN_HEADERS = new Set([
  'via',
  'x-varnish',
  'age',
  'accept-ranges',
  'vary',
  'server',
  'date',
  'connection',
  'keep-alive',
]);
const PORTS = { varnish: 18_080, synthetic: 18_081, nginx: 18_082, apiVarnish: 18_083, otherVarnish: 18_084 };

function cpuList(name: string, text: string): string {
  const ids = /^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text) ? text.split(/[,-]/).map(Number) : [-1];
  if (ids.some((id) => id >= cpus().length || id < 0)) {
    console.error(
      `--${name} must be a taskset -c list of CPUs 0-${cpus().length - 1}, got '${text}'\n\n${usage}`,
    );
    process.exit(EXIT_USAGE);
  }
  return text;
}

const loadAtStart = await waitForQuiet(quietLoad, waitQuietSeconds);
const busyStart = loadAtStart[0]! > quietLoad;
if (busyStart && !values['allow-busy']) {
  console.error(
    `refusing to measure: 1-minute load ${loadAtStart[0]!.toFixed(2)} > ${quietLoad} after waiting ${waitQuietSeconds} s ` +
      `(other work on the machine skews every ratio); --allow-busy runs anyway and marks the results`,
  );
  process.exit(3);
}
const work = await mkdtemp(join(tmpdir(), 'bench-cache-'));
const origin = await startOrigin(300);
const stops: (() => Promise<unknown>)[] = [];
try {
  // Production's site VCL, storage sizes and varnishd parameters, rendered by the chart (helm template).
  // Production's Varnish image on the host's network and the servers' CPU set (local-varnish/runtime.ts).
  const varnishOptions = { environment: 'production', cpus: serverCpus } as const;
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
  const nginxImage = await benchNginxImage();
  const nginx = await startNginx(join(work, 'nginx'), PORTS.nginx, origin.port, {
    cpus: serverCpus,
    image: nginxImage,
  });
  stops.push(nginx.stop);
  // nginx -v prints to standard error.
  const nginxVersion = /nginx\/(\S+)/.exec(
    await docker(['run', '--rm', '--network', 'none', nginxImage, 'nginx', '-v'], 60_000, true),
  )?.[1];
  const otherVarnish = values['also-image']
    ? await startVarnish({
        ...varnishOptions,
        image: values['also-image'],
        backends: [{ host: '127.0.0.1', port: origin.port }],
        listenPort: PORTS.otherVarnish,
        workDir: join(work, 'other-varnish'),
      })
    : undefined;
  const otherVersion = otherVarnish
    ? /varnish-(\d+\.\d+\.\d+)/.exec(
        await otherVarnish.exec('sh', ['-c', 'varnishd -V 2>&1']).catch((e: Error) => e.message),
      )?.[1]
    : undefined;
  if (otherVarnish) stops.push(otherVarnish.stop);

  const tileUrl = (port: number) => `http://127.0.0.1:${port}/maps/tileset/bench.bench.tiles/10/512/384`;
  const headerNames: string[][] = [];
  for (const port of [PORTS.varnish, PORTS.nginx, ...(otherVarnish ? [PORTS.otherVarnish] : [])]) {
    await get(tileUrl(port));
    const answer = await get(tileUrl(port));
    if (answer.cache !== 'HIT')
      throw new Error(`warm-up on port ${port} did not give a cache hit (X-Cache: ${answer.cache})`);
    headerNames.push(answer.headerNames.filter((name) => !SERVER_OWN_HEADERS.has(name)));
  }
  const [varnishHeaders, nginxHeaders, otherHeaders] = headerNames.map((names) => names.sort().join(', '));
  if (otherHeaders !== undefined && otherHeaders !== varnishHeaders)
    throw new Error(
      `${values['also-image']} sends ${otherHeaders}; production's image sends ${varnishHeaders}`,
    );
  if (varnishHeaders !== nginxHeaders)
    throw new Error(`not like for like: Varnish sends ${varnishHeaders}; nginx sends ${nginxHeaders}`);

  const targets: { name: string; port: number; pid: number }[] = [
    { name: 'varnish hit', port: PORTS.varnish, pid: varnish.pid },
    { name: 'nginx hit', port: PORTS.nginx, pid: nginx.pid },
    { name: 'varnish synthetic', port: PORTS.synthetic, pid: synthetic.pid },
  ];
  if (otherVarnish)
    targets.push({ name: 'other varnish hit', port: PORTS.otherVarnish, pid: otherVarnish.pid });
  const measure = async (target: (typeof targets)[number]): Promise<Sample> => {
    const cpuBefore = await treeCpuSeconds(target.pid);
    const result = await runWrk(tileUrl(target.port), connections, seconds, 2, {
      cpus: wrkCpus,
      threads: wrkThreads,
    });
    const serverCpuSeconds = (await treeCpuSeconds(target.pid)) - cpuBefore;
    if (result.errors > 0) throw new Error(`${target.name}: ${result.errors} failed requests`);
    return {
      ...result,
      serverCpuUsPerAnswer: (serverCpuSeconds * 1e6) / result.requests,
      wrkCpuShare: result.wrkCpuSeconds / (seconds * wrkThreads),
      load1: load1(),
    };
  };
  const measured = await pairedRounds(targets, warmup, rounds, measure, (round, name, s) =>
    console.log(
      `${round} ${name.padEnd(18)} ${s.requestsPerSec.toFixed(0).padStart(7)} req/s  p99 ${s.p99Ms.toFixed(2).padStart(6)} ms  ` +
        `server ${s.serverCpuUsPerAnswer.toFixed(1).padStart(5)} µs CPU/answer  wrk CPU ${(s.wrkCpuShare * 100).toFixed(0).padStart(3)} %  ` +
        `${s.bytesPerAnswer.toFixed(0)} B/answer  load ${s.load1.toFixed(1)}`,
    ),
  );
  const v = measured['varnish hit']!;
  const n = measured['nginx hit']!;
  const s = measured['varnish synthetic']!;
  const h = measured['other varnish hit'];
  const perRound = (f: (i: number) => number) => v.map((_, i) => f(i));
  const hitRatios = perRound((i) => v[i]!.requestsPerSec / n[i]!.requestsPerSec);
  const p99Ratios = perRound((i) => v[i]!.p99Ms / n[i]!.p99Ms);
  const syntheticRatios = perRound((i) => v[i]!.requestsPerSec / s[i]!.requestsPerSec);
  const cpuRatios = perRound((i) => v[i]!.serverCpuUsPerAnswer / n[i]!.serverCpuUsPerAnswer);
  for (let i = 0; i < v.length; i++)
    console.log(
      `round ${i + 1}: Varnish ÷ nginx ${hitRatios[i]!.toFixed(2)}, p99 ÷ p99 ${p99Ratios[i]!.toFixed(2)}, CPU/answer ÷ ${cpuRatios[i]!.toFixed(2)}`,
    );

  const rows: [string, string, string][] = [
    ['Varnish hit ÷ nginx proxy_cache hit', spread(hitRatios), '≥ 1.0'],
    ['Varnish hit p99 ÷ nginx hit p99', spread(p99Ratios), '≤ 1.0'],
    ['Varnish hit ÷ Varnish synthetic', spread(syntheticRatios), '≥ 0.8'],
    ['Server CPU per answer, Varnish ÷ nginx', spread(cpuRatios), '≤ 1.2'],
  ];
  if (h) {
    const versions = `Varnish ${varnish.runtime.version} ÷ ${otherVersion ?? values['also-image']} (--also-image)`;
    rows.push(
      [
        `${versions}: hit throughput`,
        spread(perRound((i) => v[i]!.requestsPerSec / h[i]!.requestsPerSec)),
        '—',
      ],
      [`${versions}: hit p99`, spread(perRound((i) => v[i]!.p99Ms / h[i]!.p99Ms)), '—'],
      [
        `${versions}: server CPU per answer`,
        spread(perRound((i) => v[i]!.serverCpuUsPerAnswer / h[i]!.serverCpuUsPerAnswer)),
        '—',
      ],
    );
  }
  if (!values['hit-only']) {
    const varnishCold = await coldFetches(varnish.url, '/cold/varnish', origin.fetchesOf);
    const nginxCold = await coldFetches(`http://127.0.0.1:${PORTS.nginx}`, '/cold/nginx', origin.fetchesOf);
    const api = await apiDirect(values['api-url'] ?? (await startRealApi()), work);
    rows.push(['Varnish hit ÷ API direct', ratio(api.viaVarnish, api.direct), '≥ 50']);
    rows.push([
      `Backend fetches, ${COLD_CLIENTS} concurrent cold requests (Varnish)`,
      String(varnishCold),
      '= 1',
    ]);
    rows.push([`Backend fetches, ${COLD_CLIENTS} concurrent cold requests (nginx)`, String(nginxCold), '—']);
    rows.push([
      'API direct throughput (API + emulator)',
      `${api.direct.requestsPerSec.toFixed(0)} req/s`,
      '—',
    ]);
    rows.push([
      'Varnish hit throughput on the API URL',
      `${api.viaVarnish.requestsPerSec.toFixed(0)} req/s`,
      '—',
    ]);
  }
  const med = (samples: Sample[], f: (x: Sample) => number, digits = 0) =>
    median(samples.map(f)).toFixed(digits);
  rows.push(
    [`Varnish hit p99 at ${connections} connections`, `${med(v, (x) => x.p99Ms, 2)} ms`, '≤ 2 ms'],
    ['nginx hit p99', `${med(n, (x) => x.p99Ms, 2)} ms`, '—'],
    [
      'Throughput: Varnish hit / nginx hit / synthetic',
      `${med(v, (x) => x.requestsPerSec)} / ${med(n, (x) => x.requestsPerSec)} / ${med(s, (x) => x.requestsPerSec)} req/s`,
      '—',
    ],
    [
      'Server CPU per answer: Varnish / nginx',
      `${med(v, (x) => x.serverCpuUsPerAnswer, 1)} / ${med(n, (x) => x.serverCpuUsPerAnswer, 1)} µs`,
      '—',
    ],
    [
      'Bytes per answer: Varnish / nginx (same answer)',
      `${med(v, (x) => x.bytesPerAnswer)} / ${med(n, (x) => x.bytesPerAnswer)}`,
      '—',
    ],
    [
      'wrk CPU use: Varnish / nginx rounds (near 100 %: wrk is the bottleneck)',
      `${med(v, (x) => x.wrkCpuShare * 100)} / ${med(n, (x) => x.wrkCpuShare * 100)} %`,
      '—',
    ],
  );
  const loads = [...v, ...n, ...s].map((x) => x.load1);
  console.log(
    `\n${busyStart ? 'BUSY START · ' : ''}${new Date().toISOString()} · Varnish ${varnish.runtime.version} (${varnish.runtime.kind}), nginx ${nginxVersion} (container) · ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · wrk -t${wrkThreads} -c${connections} -d${seconds}s on CPUs ${wrkCpus}, ` +
      `servers on CPUs ${serverCpus} · median of ${rounds} paired rounds after ${warmup} discarded, (min–max) · ${origin.tile.length}-byte gzip tile · ` +
      `load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}, during rounds ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n`,
  );
  console.log('| figure | measured | goal |\n|---|---|---|');
  for (const [figure, measuredValue, goal] of rows) console.log(`| ${figure} | ${measuredValue} | ${goal} |`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await origin.close();
  await rm(work, { recursive: true, force: true });
}

/** Waits (bounded) for the 1-minute load average to fall to `quiet`; returns the load averages it started with. */
async function waitForQuiet(quiet: number, waitSeconds: number): Promise<number[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let announced = false; loadavg()[0]! > quiet && Date.now() < deadline; announced = true) {
    if (!announced)
      console.log(
        `waiting up to ${waitSeconds} s for the 1-minute load (${loadavg()[0]!.toFixed(2)}) to fall to ${quiet}…`,
      );
    await new Promise((r) => setTimeout(r, 5_000));
  }
  return loadavg();
}

/** "median (min–max)" of per-round ratios. */
function spread(ratios: number[]): string {
  return `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
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

interface Answer {
  status: number;
  cache: string | undefined;
  headerNames: string[];
}

async function get(url: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          cache: res.headers['x-cache'] as string,
          headerNames: Object.keys(res.headers),
        }),
      );
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
async function apiDirect(apiUrl: string, work: string) {
  const target = new URL(apiUrl);
  const direct = await runWrk(apiUrl, connections, seconds, 30);
  const front: RunningVarnish = await startVarnish({
    environment: 'production',
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
