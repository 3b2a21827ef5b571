// The Varnish metric names the rules and the dashboard use, checked against the real exporter (our Varnish image's
// prometheus-varnish-exporter, beside its varnishd) reading a real varnishd that runs the chart's VCL.
// @module-tag needs-docker
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVarnish, type RunningVarnish } from '../local-varnish/varnish.js';
import { dashboardQueries, metricNames } from './dashboard.js';
import { rules } from './rule-files.js';

let backend: Server;
let varnish: RunningVarnish;
let exporter: ChildProcess;
let exporterUrl: string;
let workDir: string;

const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000);

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url === '/maps/tileset/p.d.t/9/9/9') {
      res.statusCode = 500;
      res.end('{"error":"boom"}');
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('X-Table-Id', 'p.d.t');
    res.end('ok');
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const { port } = backend.address() as AddressInfo;
  workDir = await mkdtemp(join(tmpdir(), 'varnish-exporter-'));
  varnish = await startVarnish({
    backends: [{ host: '127.0.0.1', port }],
    listenPort: randomPort(),
    mallocMb: 32,
    transientMb: 8,
    workDir,
  });
  const exporterPort = randomPort();
  exporterUrl = `http://127.0.0.1:${exporterPort}/metrics`;
  exporter = varnish.spawnBeside('prometheus-varnish-exporter', [
    '-n',
    workDir,
    '-web.listen-address',
    `127.0.0.1:${exporterPort}`,
  ]);
  const failed = new Promise<never>((_, reject) =>
    exporter.on('error', (err) =>
      reject(new Error(`prometheus-varnish-exporter: ${err.message}: run tools/install.sh promtool`)),
    ),
  );
  const listening = (async () => {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(exporterUrl).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`prometheus-varnish-exporter did not answer on ${exporterUrl}`);
  })();
  await Promise.race([listening, failed]);
});

afterAll(async () => {
  if (exporter && exporter.exitCode === null) {
    const gone = once(exporter, 'exit');
    exporter.kill('SIGTERM');
    await gone;
  }
  await varnish?.stop();
  backend?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const sample = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${series} `))
      ?.split(' ')[1] ?? NaN,
  );

describe('prometheus-varnish-exporter in front of the chart VCL', () => {
  it('exports every varnish_* metric the rules and the dashboard read', async () => {
    const used = new Set(
      [...rules().map((rule) => rule.expr), ...dashboardQueries()]
        .flatMap(metricNames)
        .filter((name) => name.startsWith('varnish_')),
    );
    expect(used.size).toBeGreaterThan(5);
    const text = await scrape();
    const exported = new Set(
      text.split('\n').map((line) => /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1]),
    );
    for (const name of used) expect(exported, `${name} is not exported`).toContain(name);
  });

  it('shows an API 5xx (client 503) as a synthetic answer, not as a failed fetch: the SLI adds API 5xx', async () => {
    const before = counters(await scrape());
    const tile = `${varnish.url}/maps/tileset/p.d.t/0/0/0`;
    expect((await fetch(tile)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(tile)).headers.get('x-cache')).toBe('HIT');
    const broken = await fetch(`${varnish.url}/maps/tileset/p.d.t/9/9/9`);
    expect([broken.status, broken.headers.get('x-cache')]).toEqual([503, 'SYNTH']);
    // Worker threads fold their statistics into the shared counters lazily, hence the poll.
    await expect
      .poll(async () => counters(await scrape()), { timeout: 15_000, interval: 500 })
      .toEqual({ clientRequests: before.clientRequests + 3, hits: 1, failedFetches: 0, backendUp: 1 });
  });

  it('counts a request the API never answered (connection refused) as 3 failed fetches: one try, two retries', async () => {
    await new Promise<void>((r) => backend.close(() => r()));
    backend.closeAllConnections();
    const down = await fetch(`${varnish.url}/maps/tileset/p.d.t/1/0/0`);
    expect(down.status).toBe(503);
    await expect
      .poll(async () => counters(await scrape()).failedFetches, { timeout: 15_000, interval: 500 })
      .toBe(3);
  });
});

const scrape = async () => (await fetch(exporterUrl)).text();

function counters(text: string) {
  return {
    clientRequests: sample(text, 'varnish_main_client_req'),
    hits: sample(text, 'varnish_main_cache_hit'),
    failedFetches: sample(text, 'varnish_main_fetch{type="failed"}'),
    backendUp: sample(text, 'varnish_backend_up{backend="api_0",server="unknown"}'),
  };
}
