// The Varnish metric names the rules and the dashboard use, checked against the real exporter (our Varnish image's
// prometheus-varnish-exporter, beside its varnishd) reading a real varnishd that runs the chart's VCL.
// @module-tag needs-docker
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries, metricNames } from './dashboard.js';
import { rules } from './rule-files.js';
import { exportedNames, startExportedVarnish, type ExportedVarnish } from './varnish-exporter.js';

let backend: Server;
let exported: ExportedVarnish;

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
  exported = await startExportedVarnish((backend.address() as AddressInfo).port);
});

afterAll(async () => {
  await exported?.stop();
  backend?.close();
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
    const names = exportedNames(await scrape());
    for (const name of used) expect(names, `${name} is not exported`).toContain(name);
  });

  it('shows an API 5xx (client 503) as a synthetic answer, not as a failed fetch: the SLI adds API 5xx', async () => {
    const before = counters(await scrape());
    const tile = `${exported.varnish.url}/maps/tileset/p.d.t/0/0/0`;
    expect((await fetch(tile)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(tile)).headers.get('x-cache')).toBe('HIT');
    const broken = await fetch(`${exported.varnish.url}/maps/tileset/p.d.t/9/9/9`);
    expect([broken.status, broken.headers.get('x-cache')]).toEqual([503, 'SYNTH']);
    // Worker threads fold their statistics into the shared counters lazily, hence the poll.
    await expect
      .poll(async () => counters(await scrape()), { timeout: 15_000, interval: 500 })
      .toEqual({ clientRequests: before.clientRequests + 3, hits: 1, failedFetches: 0, backendUp: 1 });
  });

  it('counts a request the API never answered (connection refused) as 3 failed fetches: one try, two retries', async () => {
    await new Promise<void>((r) => backend.close(() => r()));
    backend.closeAllConnections();
    const down = await fetch(`${exported.varnish.url}/maps/tileset/p.d.t/1/0/0`);
    expect(down.status).toBe(503);
    await expect
      .poll(async () => counters(await scrape()).failedFetches, { timeout: 15_000, interval: 500 })
      .toBe(3);
  });
});

const scrape = () => exported.scrape();

function counters(text: string) {
  return {
    clientRequests: sample(text, 'varnish_main_client_req'),
    hits: sample(text, 'varnish_main_cache_hit'),
    failedFetches: sample(text, 'varnish_main_fetch{type="failed"}'),
    backendUp: sample(text, 'varnish_backend_up{backend="api_0",server="unknown"}'),
  };
}
