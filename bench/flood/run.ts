/**
 * Miss flood against the local stack (issue 26 item 8): npm run bench:flood [-- --seconds 30 --env dev]
 * One client (bound to 127.0.0.2) asks tiles nobody asked before as fast as it can while another (127.0.0.3) asks
 * tiles already cached; Varnish keys the budget on each client's address (budget.vcl: a peer that is not a load
 * balancer is keyed by its TCP address; 127.0.0.1 is an operator and has no budget, so neither client uses it).
 * Prints, from one run: BigQuery (emulator) queries per second against the budget, the flood's 429 share, the
 * cached client's success rate, and its hit p99 during the flood ÷ its hit p99 idle. Loopback only, bounded.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_TILESET, freePort, samplePartitionScheme, startSeededEmulator } from '@maps-api/emulator';
import { renderChartVarnish, type Environment } from '../../local-varnish/chart-varnish.js';
import { startVarnish } from '../../local-varnish/varnish.js';
import { startApi } from '../../stack/api-process.js';
import { oneOf, parseCli, wholeNumber } from '../../tools/cli.js';
import { useInstalledTools } from '../../tools/tools-path.js';
import { ask, percentile, type Answer } from './client.js';

useInstalledTools();
const usage = `Usage: npm run bench:flood -- [--seconds N] [--idle-seconds N] [--env dev|staging|production]
                               [--flood-connections N] [--flood-rate N] [--hit-connections N]
A miss flood from 127.0.0.2 while 127.0.0.3 asks cached tiles, through the chart's Varnish (the environment's miss
budget) to one API process on the seeded BigQuery emulator, all on loopback.
  --seconds N            length of the flood (default 30)
  --idle-seconds N       the cached client alone first, for its idle p99 (default 10)
  --env NAME             whose chart values (miss budget, parameters) Varnish runs (default dev)
  --flood-connections N  concurrent requests of the flooding client (default 16)
  --flood-rate N         requests per second of the flooding client at most (default 0: as fast as it can; it
                         shares this machine's CPUs with Varnish, which a remote attacker does not)
  --hit-connections N    concurrent requests of the cached client (default 4)
  -h, --help             print this help`;
const values = parseCli(usage, {
  seconds: { type: 'string', default: '30' },
  'idle-seconds': { type: 'string', default: '10' },
  env: { type: 'string', default: 'dev' },
  'flood-connections': { type: 'string', default: '16' },
  'flood-rate': { type: 'string', default: '0' },
  'hit-connections': { type: 'string', default: '4' },
});
const seconds = wholeNumber(usage, 'seconds', values.seconds);
const idleSeconds = wholeNumber(usage, 'idle-seconds', values['idle-seconds']);
const environment: Environment = oneOf(usage, 'env', values.env, ['dev', 'staging', 'production']);
const floodConnections = wholeNumber(usage, 'flood-connections', values['flood-connections']);
const hitConnections = wholeNumber(usage, 'hit-connections', values['hit-connections']);
const floodRate = wholeNumber(usage, 'flood-rate', values['flood-rate'], 0);
const FLOODER = '127.0.0.2';
const CACHED_CLIENT = '127.0.0.3';

const tilePath = (z: number, x: number, y: number) => `/maps/tileset/${SAMPLE_TILESET}/${z}/${x}/${y}`;

/** Every tile inside the sample tileset's box, zoom 0 to its highest: each costs a BigQuery query when missed. */
function tilesInside(): string[] {
  const box = samplePartitionScheme();
  const tiles: string[] = [];
  for (let z = box.zmin; z <= box.zmax; z++) {
    const shift = box.zmax - z;
    for (let x = box.xmin >> shift; x <= box.xmax >> shift; x++)
      for (let y = box.ymin >> shift; y <= box.ymax >> shift; y++) tiles.push(tilePath(z, x, y));
  }
  return tiles;
}

/** BigQuery calls the API made (its histogram's count, every label): what the emulator was asked. */
async function bigQueryCalls(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return [...text.matchAll(/^bigquery_query_duration_seconds_count(?:\{[^}]*\})? (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

/** The cached client: `connections` loops asking the cached tiles in turn until `until`. */
async function askCached(base: string, tiles: string[], until: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: hitConnections }, async () => {
      while (Date.now() < until) answers.push(await ask(base, tiles[next++ % tiles.length]!, CACHED_CLIENT));
    }),
  );
  return answers;
}

const budgetOf = (siteVcl: string) => {
  const misses = Number(/X-Maps-Budget-Misses = "(\d+)"/.exec(siteVcl)?.[1]);
  const period = Number(/X-Maps-Budget-Period = "(\d+)s"/.exec(siteVcl)?.[1]);
  if (!(misses > 0 && period > 0)) throw new Error('no miss budget in the rendered site VCL');
  return { misses, period };
};

const load = loadavg().map((l) => l.toFixed(1));
const work = await mkdtemp(join(tmpdir(), 'bench-flood-'));
const stops: (() => Promise<unknown>)[] = [];
try {
  console.log(`starting the emulator, one API process and Varnish (${environment}'s chart values)…`);
  const emulator = await startSeededEmulator();
  stops.push(() => emulator.stop());
  const api = await startApi({ env: { BIGQUERY_EMULATOR_HOST: emulator.host, LOG_LEVEL: 'warn' } });
  stops.push(() => api.stop());
  const backends = [{ host: '127.0.0.1', port: api.port }];
  const budget = budgetOf(renderChartVarnish({ environment, backends }).siteVcl);
  const varnish = await startVarnish({ environment, backends, listenPort: await freePort(), workDir: work });
  stops.push(varnish.stop);

  // The cached tiles: the first third of the tileset's, fetched once by an operator (127.0.0.1, no budget).
  const inside = tilesInside();
  const cached = inside.slice(0, Math.ceil(inside.length / 3));
  for (const path of cached) {
    const answer = await ask(varnish.url, path, '127.0.0.1');
    if (answer.status !== 200 && answer.status !== 204)
      throw new Error(`${path}: ${answer.status} while warming`);
  }
  // Never asked: the other tiles inside the box (each a query), then tiles outside it (a miss the API answers 204
  // without a query), one new URL per request.
  const neverAsked = inside.slice(cached.length);

  console.log(`idle: ${CACHED_CLIENT} asks ${cached.length} cached tiles for ${idleSeconds} s…`);
  const idle = await askCached(varnish.url, cached, Date.now() + idleSeconds * 1000);
  const queriesBefore = await bigQueryCalls(api.url);
  console.log(`flood: ${FLOODER} asks never-asked tiles for ${seconds} s while ${CACHED_CLIENT} goes on…`);
  const started = Date.now();
  // The flooding client in a process of its own, so its work does not delay the cached client's timings.
  const flooder = fork(new URL('./flood-client.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
  stops.push(async () => flooder.kill());
  flooder.send({
    base: varnish.url,
    first: neverAsked,
    address: FLOODER,
    connections: floodConnections,
    seconds,
    rate: floodRate,
  });
  const flood = new Promise<Record<string, number>>((resolve, reject) => {
    flooder.once('message', (statuses) => resolve(statuses as Record<string, number>));
    flooder.once('exit', (code) =>
      reject(new Error(`the flooding client exited with ${code} before reporting`)),
    );
  });
  const [during, statuses] = await Promise.all([
    askCached(varnish.url, cached, started + seconds * 1000),
    flood,
  ]);
  const elapsed = (Date.now() - started) / 1000;
  const queries = (await bigQueryCalls(api.url)) - queriesBefore;

  const floodTotal = Object.values(statuses).reduce((a, b) => a + b, 0);
  const admitted = floodTotal - (statuses['429'] ?? 0);
  // A bucket of `misses`, refilled at misses/period: the most one client can cause in `elapsed` seconds.
  const allowed = budget.misses + (elapsed * budget.misses) / budget.period;
  const ok = (answers: Answer[]) => answers.filter((a) => a.status === 200).length;
  const idleP99 = percentile(
    idle.map((a) => a.ms),
    0.99,
  );
  const floodP99 = percentile(
    during.map((a) => a.ms),
    0.99,
  );
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
  console.log(
    [
      `load at start ${load.join(' ')}; flood rate ${floodRate || 'unbounded'}; ${environment} budget ${budget.misses} misses per ${budget.period} s per client`,
      `flood ${elapsed.toFixed(1)} s: ${floodTotal} requests (${(floodTotal / elapsed).toFixed(0)}/s), answers ${JSON.stringify(statuses)}`,
      `BigQuery (emulator) queries ${queries} = ${(queries / elapsed).toFixed(2)}/s; flood misses admitted ${admitted} = ${(admitted / elapsed).toFixed(2)}/s; budget ceiling ${allowed.toFixed(0)} = ${(allowed / elapsed).toFixed(2)}/s`,
      `flood 429 share ${pct(statuses['429'] ?? 0, floodTotal)}`,
      `cached client success ${pct(ok(during), during.length)} during the flood (${during.length} requests), ${pct(ok(idle), idle.length)} idle`,
      `cached client hit p99 ${floodP99.toFixed(2)} ms during ÷ ${idleP99.toFixed(2)} ms idle = ${(floodP99 / idleP99).toFixed(2)} (goal ≤ 2)`,
    ].join('\n'),
  );
  if (admitted > allowed)
    throw new Error(`the flood got ${admitted} misses past a budget of ${allowed.toFixed(0)}`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
