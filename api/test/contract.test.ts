// The original API's contract, route by route, against a real API process reading the real BigQuery emulator.
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_TABLE,
  SAMPLE_TILESET,
  TILE_LAYER,
  sampleStoreRows,
  sampleTileRows,
  startSeededEmulator,
  type Emulator,
} from '@maps-api/emulator';
import { rawGet, startApi, type ApiProcess } from './harness.js';

let emulator: Emulator;
let api: ApiProcess;
let smallApi: ApiProcess;
const tilePath = (z: number, x: number, y: number) => `/maps/tileset/${SAMPLE_TILESET}/${z}/${x}/${y}`;
const tablePath = `/maps/table/${SAMPLE_TABLE}?geomField=geom&format=geojson`;
const MISSING = 'carto-demo-data.demo_tables.no_such_table';

beforeAll(async () => {
  emulator = await startSeededEmulator();
  [api, smallApi] = await Promise.all([
    // a listed table BigQuery does not have: 404, not 403
    startApi({
      BIGQUERY_EMULATOR_HOST: emulator.host,
      SERVED_TABLES: `${SAMPLE_TILESET},${SAMPLE_TABLE},${MISSING}`,
    }),
    startApi({ BIGQUERY_EMULATOR_HOST: emulator.host, MAX_JSON_RESPONSE_SIZE: '4096' }),
  ]);
});
afterAll(async () => {
  await Promise.all([api?.stop(), smallApi?.stop()]);
  await emulator?.stop();
});

describe('GET /', () => {
  it('greets with Hello World! as text/plain', async () => {
    const res = await fetch(`${api.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Hello World!');
  });
});

describe('GET /maps/tileset/:id/:z/:x/:y', () => {
  it('serves tile 0/0/0 as a gzip MVT whose layer holds the sample buildings', async () => {
    // node:http, not fetch: fetch would decode the gzip body before we can check it.
    const res = await rawGet(`${api.url}${tilePath(0, 0, 0)}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['content-encoding']).toBe('gzip');
    const raw = res.body;
    const expected = sampleTileRows().find((r) => r.z === 0)!;
    expect(raw.equals(expected.data)).toBe(true);
    const tile = new VectorTile(new PbfReader(gunzipSync(raw)));
    expect(Object.keys(tile.layers)).toEqual([TILE_LAYER]);
    const layer = tile.layers[TILE_LAYER]!;
    expect(layer.length).toBeGreaterThan(100);
    expect(layer.feature(0).type).toBe(3); // polygon
    expect(layer.feature(0).properties).toHaveProperty('height');
  });

  it('serves every sample tile byte for byte', async () => {
    for (const row of sampleTileRows().filter((r) => r.z >= 0 && r.z % 5 === 0)) {
      const res = await fetch(`${api.url}${tilePath(row.z, row.x, row.y)}`);
      expect(res.status, `${row.z}/${row.x}/${row.y}`).toBe(200);
      // fetch decodes gzip itself: compare with the decoded MVT
      expect(Buffer.from(await res.arrayBuffer()).equals(gunzipSync(row.data))).toBe(true);
    }
  });

  it('answers 204 with the tile cache policy when the tileset has no such tile', async () => {
    const res = await fetch(`${api.url}${tilePath(3, 0, 0)}`);
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toContain('max-age=86400');
    expect(await res.text()).toBe('');
  });

  it('sends the headers the cache relies on: long Cache-Control, ETag, Last-Modified, table id and data version', async () => {
    const res = await fetch(`${api.url}${tilePath(0, 0, 0)}`);
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=86400, stale-while-revalidate=3600, stale-if-error=604800',
    );
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(new Date(res.headers.get('last-modified')!).getTime()).toBeGreaterThan(0);
    expect(res.headers.get('x-table-id')).toBe(SAMPLE_TILESET);
    expect(res.headers.get('x-data-version')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('answers 304 without a body when If-None-Match names the current version', async () => {
    const first = await fetch(`${api.url}${tilePath(0, 0, 0)}`);
    const res = await fetch(`${api.url}${tilePath(0, 0, 0)}`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const res = await fetch(`${api.url}${tilePath(0, 0, 0)}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(await res.text()).toBe('');
  });
});

describe('unknown query parameters', () => {
  it('are ignored on tile URLs: same answer and same ETag as the bare URL, so a cache-buster changes nothing', async () => {
    const [bare, busted] = await Promise.all([
      rawGet(`${api.url}${tilePath(0, 0, 0)}`),
      rawGet(`${api.url}${tilePath(0, 0, 0)}?cb=1&geomField=x`),
    ]);
    expect(busted.status).toBe(200);
    expect(busted.body.equals(bare.body)).toBe(true);
    expect(busted.headers.etag).toBe(bare.headers.etag);
  });

  it('are ignored on table URLs, where only geomField and format count (format defaulting to geojson)', async () => {
    const [canonical, extra, defaulted] = await Promise.all([
      fetch(`${api.url}${tablePath}`),
      fetch(`${api.url}${tablePath}&cb=2&limit=1`),
      fetch(`${api.url}/maps/table/${SAMPLE_TABLE}?geomField=geom`),
    ]);
    expect(extra.status).toBe(200);
    expect(await extra.text()).toBe(await canonical.text());
    expect(extra.headers.get('etag')).toBe(canonical.headers.get('etag'));
    expect(defaulted.headers.get('etag')).toBe(canonical.headers.get('etag'));
  });
});

describe('GET /maps/table/:id', () => {
  it('returns every row as a GeoJSON Feature with geometry from geomField and the other columns as properties', async () => {
    const res = await fetch(`${api.url}${tablePath}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const body = (await res.json()) as {
      type: string;
      features: { geometry: { type: string; coordinates: number[] }; properties: Record<string, unknown> }[];
    };
    expect(body.type).toBe('FeatureCollection');
    const rows = sampleStoreRows();
    expect(body.features).toHaveLength(rows.length);
    const byId = new Map(body.features.map((f) => [f.properties.store_id, f]));
    for (const row of rows) {
      const feature = byId.get(row.store_id)!;
      expect(feature.geometry.type).toBe('Point');
      expect(`POINT(${feature.geometry.coordinates.join(' ')})`).toBe(row.geom);
      expect(feature.properties).toEqual({ ...row, geom: undefined, store_id: row.store_id });
      expect(feature.properties).not.toHaveProperty('geom');
    }
  });

  it('defaults format to geojson and sends the shorter table cache policy', async () => {
    const res = await fetch(`${api.url}/maps/table/${SAMPLE_TABLE}?geomField=geom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=60, stale-if-error=86400',
    );
    expect(res.headers.get('x-table-id')).toBe(SAMPLE_TABLE);
  });

  it('answers 413 with a JSON error when the body would exceed MAX_JSON_RESPONSE_SIZE', async () => {
    const res = await fetch(`${smallApi.url}${tablePath}`);
    expect(res.status).toBe(413);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(await res.json()).toMatchObject({ statusCode: 413, error: 'RESPONSE_TOO_LARGE' });
  });

  it('answers 404 with a JSON error for a table that does not exist in an allowed dataset', async () => {
    const res = await fetch(`${api.url}/maps/table/${MISSING}?geomField=geom`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'table not found',
    });
  });
});

describe('operations endpoints', () => {
  it('reports liveness and readiness', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('exposes request histograms per route and BigQuery duration and bytes on /metrics', async () => {
    await fetch(`${api.url}${tilePath(0, 0, 0)}`);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/maps\/tileset\/:id\/:z\/:x\/:y",status_code="200"\} [1-9]/,
    );
    expect(text).toMatch(/bigquery_query_duration_seconds_count\{kind="tile",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/bigquery_bytes_processed_total\{kind="tile"\} \d+/);
  });

  it('describes both map routes in /openapi.json, generated from the route schemas', async () => {
    const spec = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/maps/tileset/{id}/{z}/{x}/{y}', '/maps/table/{id}', '/']),
    );
  });

  it('declares in /openapi.json every answer a data route can give, with the CORS and cache headers', async () => {
    type Responses = Record<string, { headers: Record<string, { required?: boolean }>; content?: object }>;
    const spec = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<string, { get: { responses: Responses } }>;
    };
    const errors = ['400', '403', '404', '405', '413', '502', '503', '504'];
    const routes: [string, string[]][] = [
      ['/maps/tileset/{id}/{z}/{x}/{y}', ['200', '204', '304', ...errors]],
      ['/maps/table/{id}', ['200', '304', ...errors]],
    ];
    for (const [path, statuses] of routes) {
      const responses = spec.paths[path]!.get.responses;
      expect(Object.keys(responses).sort(), path).toEqual(statuses.sort());
      for (const [status, response] of Object.entries(responses)) {
        const required = Object.keys(response.headers).filter((name) => response.headers[name]!.required);
        expect(required, `${path} ${status}`).toEqual(
          expect.arrayContaining(['Access-Control-Allow-Origin', 'Cache-Control', 'X-Request-Id']),
        );
        if (['200', '204', '304'].includes(status))
          expect(required).toEqual(
            expect.arrayContaining(['ETag', 'Last-Modified', 'X-Data-Version', 'X-Table-Id']),
          );
        if (errors.includes(status))
          expect(JSON.stringify(response.content)).toContain(
            '"required":["statusCode","error","message","requestId"]',
          );
      }
      expect(responses['405']!.headers.Allow!.required).toBe(true);
      expect(responses['503']!.headers['Retry-After']!.required).toBe(true);
    }
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await fetch(`${api.url}/`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${api.url}/`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs structured JSON lines carrying the request id', async () => {
    await fetch(`${api.url}/`, { headers: { 'x-request-id': 'log-probe-1' } });
    await new Promise((r) => setTimeout(r, 200));
    const line = api.logs.find((l) => l.includes('log-probe-1'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ reqId: 'log-probe-1' });
  });
});
