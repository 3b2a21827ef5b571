/** The smoke checks against a loopback stand-in for Varnish, and the chart's VCL extraction with the real helm. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { smokeTable } from '../deploy/steps.ts';
import { MissingTable, runSmoke, type SmokeOptions } from '../smoke/checks.ts';
import { configMapFiles } from '../chart-vcl/configmap.ts';
import { repoRoot } from './support/workflows.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves like Varnish in front of the API; `cacheWorks: false` never turns a MISS into a HIT. */
async function fakeVarnish(cacheWorks: boolean): Promise<string> {
  const seen = new Set<string>();
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const xcache = cacheWorks && seen.has(url) ? 'HIT' : 'MISS';
    seen.add(url);
    res.setHeader('x-cache', xcache);
    if (url === '/healthz') return res.end('ok');
    if (url === '/') return res.end('Hello World!');
    if (url.includes('.not_made_yet/')) {
      // What the API answers for a table BigQuery does not have (api/src/errors.ts notFound).
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: 'table not found' }));
    }
    if (url.startsWith('/maps/tileset/')) {
      res.writeHead(200, {
        'content-type': 'application/vnd.mapbox-vector-tile',
        'content-encoding': 'gzip',
      });
      return res.end(gzipSync(Buffer.from([0x1a, 0x02, 0x78, 0x01])));
    }
    if (url.startsWith('/maps/table/')) {
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      return res.end(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature' }] }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
}

const options = (url: string, log: string[]): SmokeOptions => ({
  url,
  tileset: 'maps-api-dev.maps_replica.osm_buildings',
  tile: '14/4823/6160',
  table: 'carto-demo-data.demo_tables.retail_stores',
  geomField: 'geom',
  healthOnly: false,
  log: (line) => log.push(line),
});

describe('smoke checks', () => {
  it('pass when health, the tile (miss then hit) and the table answer as the API does behind Varnish', async () => {
    const log: string[] = [];
    await runSmoke(options(await fakeVarnish(true), log));
    expect(log).toContain(
      'GET /maps/tileset/maps-api-dev.maps_replica.osm_buildings/14/4823/6160 -> 200 X-Cache=MISS',
    );
    expect(log).toContain(
      'GET /maps/tileset/maps-api-dev.maps_replica.osm_buildings/14/4823/6160 -> 200 X-Cache=HIT',
    );
    expect(log.some((line) => line === 'table: 1 features')).toBe(true);
  });

  it('tell a tileset that does not exist yet (404: a replica not made yet) from a failure, after checking the table', async () => {
    const log: string[] = [];
    const url = await fakeVarnish(true);
    const missing = runSmoke({ ...options(url, log), tileset: 'maps-api-dev.maps_replica.not_made_yet' });
    await expect(missing).rejects.toBeInstanceOf(MissingTable);
    await expect(missing).rejects.toMatchObject({ table: 'maps-api-dev.maps_replica.not_made_yet' });
    expect(log).toContain('table: 1 features');
  });

  it('read no table where the environment serves none, and say so', async () => {
    const log: string[] = [];
    await runSmoke({ ...options(await fakeVarnish(true), log), table: '' });
    expect(log.some((line) => line.includes('/maps/table/'))).toBe(false);
    expect(log).toContainEqual(expect.stringMatching(/^table: none checked/));
  });

  it('read the sample table in every environment, as its chart values serve it', () => {
    const chart = join(repoRoot, 'charts/maps-api');
    for (const env of ['dev', 'staging', 'production'])
      expect(smokeTable(chart, env), env).toBe('carto-demo-data.demo_tables.retail_stores');
  });

  it('fail when the second tile request is not served from cache', async () => {
    await expect(runSmoke(options(await fakeVarnish(false), []))).rejects.toThrow(/not a cache HIT/);
  });
});

describe('chart VCL for the test stack', () => {
  it('extracts site.vcl and every VCL file from the rendered chart, with the API Service as backend', () => {
    // The same arguments as the `test` function's helm call (src/index.ts).
    const args = 'template maps-api . --namespace maps-api --values values-dev.yaml';
    const rendered = spawnSync(
      'helm',
      [...args.split(' '), '--show-only', 'templates/varnish-configmap.yaml'],
      {
        encoding: 'utf8',
        cwd: join(repoRoot, 'charts/maps-api'),
      },
    );
    if (rendered.error)
      throw new Error(`helm not runnable (${rendered.error.message}): run tools/install.sh 30-helm`);
    expect(rendered.status, rendered.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'vcl-'));
    writeFileSync(join(dir, 'cm.yaml'), rendered.stdout);
    const files = configMapFiles(join(dir, 'cm.yaml'), join(dir, 'vcl'));
    expect(files).toContain('site.vcl');
    // The `test` function binds the API service under this name, so the rendered VCL works unchanged.
    expect(readFileSync(join(dir, 'vcl/site.vcl'), 'utf8')).toContain('.host = "maps-api-api"');
  });
});
