// A page on another origin (the jsfiddle users test with) can read every answer the API gives: success, empty tile,
// revalidation, and every JSON error, including those sent before any route runs. Real processes, real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_TABLE, SAMPLE_TILESET, startSeededEmulator, type Emulator } from '@maps-api/emulator';
import { CORS_PREFLIGHT_HEADERS, CORS_RESPONSE_HEADERS } from '../src/cors.js';
import { faultyBigQuery, startApi, type ApiProcess, type QueryFault } from './harness.js';

const ORIGIN = 'https://jsfiddle.net';
const tile = (z: number, x: number, y: number) => `/maps/tileset/${SAMPLE_TILESET}/${z}/${x}/${y}`;
const table = `/maps/table/${SAMPLE_TABLE}?geomField=geom`;

let emulator: Emulator;
let faults: Awaited<ReturnType<typeof faultyBigQuery>>;
let api: ApiProcess;
let smallApi: ApiProcess;
let faultApi: ApiProcess;

beforeAll(async () => {
  [emulator, faults] = await Promise.all([startSeededEmulator(), faultyBigQuery()]);
  [api, smallApi, faultApi] = await Promise.all([
    // carto-demo-data.demo_tables.nope is listed but BigQuery has no such table: 404
    startApi({
      BIGQUERY_EMULATOR_HOST: emulator.host,
      SERVED_TABLES: `${SAMPLE_TILESET},${SAMPLE_TABLE},carto-demo-data.demo_tables.nope`,
    }),
    startApi({ BIGQUERY_EMULATOR_HOST: emulator.host, MAX_JSON_RESPONSE_SIZE: '4096' }),
    startApi({ BIGQUERY_EMULATOR_HOST: faults.host, QUERY_TIMEOUT_MS: '1000', BIGQUERY_MAX_RETRIES: '0' }),
  ]);
});
afterAll(async () => {
  await Promise.all([api?.stop(), smallApi?.stop(), faultApi?.stop()]);
  await Promise.all([emulator?.stop(), faults?.close()]);
});

const fromForeignPage = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { origin: ORIGIN, ...init.headers } });

function expectReadableCrossOrigin(res: Response) {
  for (const [name, value] of Object.entries(CORS_RESPONSE_HEADERS)) {
    expect(res.headers.get(name), `${name} on ${res.status}`).toBe(value);
  }
  // One cached object serves every origin: nothing may vary by Origin.
  expect(res.headers.get('vary') ?? '').not.toMatch(/origin/i);
}

describe('CORS on every answer a browser can get', () => {
  it('200: a tile and a table', async () => {
    for (const url of [`${api.url}${tile(0, 0, 0)}`, `${api.url}${table}`]) {
      const res = await fromForeignPage(url);
      expect(res.status).toBe(200);
      expectReadableCrossOrigin(res);
    }
  });

  it('200 without an Origin header too, so a cached copy works for any later origin', async () => {
    const res = await fetch(`${api.url}${tile(0, 0, 0)}`);
    expect(res.status).toBe(200);
    expectReadableCrossOrigin(res);
  });

  it('204: a tile the tileset does not have', async () => {
    const res = await fromForeignPage(`${api.url}${tile(3, 0, 0)}`);
    expect(res.status).toBe(204);
    expectReadableCrossOrigin(res);
  });

  it('304: revalidation with the ETag the page was given', async () => {
    const first = await fromForeignPage(`${api.url}${tile(0, 0, 0)}`);
    const res = await fromForeignPage(`${api.url}${tile(0, 0, 0)}`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(res.status).toBe(304);
    expectReadableCrossOrigin(res);
  });

  it.each([
    ['400 bad coordinates', () => `${api.url}${tile(1, 5, 0)}`, 400],
    ['400 malformed URL, refused before any route', () => `${api.url}/maps/tileset/%E0%A4%A/0/0/0`, 400],
    ['403 table not served', () => `${api.url}/maps/table/other-project.secret.t?geomField=geom`, 403],
    ['404 table not found', () => `${api.url}/maps/table/carto-demo-data.demo_tables.nope?geomField=g`, 404],
    ['404 unknown path', () => `${api.url}/no/such/path`, 404],
    ['413 response too large', () => `${smallApi.url}${table}`, 413],
  ])('%s: a JSON error the page can read', async (_name, url, status) => {
    const res = await fromForeignPage(url());
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ statusCode: status });
    expectReadableCrossOrigin(res);
  });

  it.each([
    ['server-error', 502],
    ['quota', 503],
    ['hang', 504],
  ] as [QueryFault, number][])('%s: %i JSON error the page can read', async (mode, status) => {
    faults.setFault(mode);
    const res = await fromForeignPage(`${faultApi.url}${tile(0, 0, 0)}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ statusCode: status });
    expectReadableCrossOrigin(res);
    if (status === 503) expect(res.headers.get('retry-after')).toBe('30');
  });
});

describe('preflight', () => {
  it.each([tile(0, 0, 0), table, '/no/such/path'])(
    'OPTIONS %s answers 204 with the allowed methods, the requested headers and max-age',
    async (path) => {
      const res = await fetch(`${api.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'if-none-match, x-request-id',
        },
      });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      for (const [name, value] of Object.entries(CORS_PREFLIGHT_HEADERS)) {
        expect(res.headers.get(name), name).toBe(value);
      }
      expect(res.headers.get('access-control-allow-headers')).toBe('if-none-match, x-request-id');
    },
  );

  it('answers a bare OPTIONS (no Origin: curl, a fuzzer) with the same 204, never a text error', async () => {
    const res = await fetch(`${api.url}${tile(0, 0, 0)}`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
  });

  it('advertises exactly the decided values', () => {
    expect(CORS_PREFLIGHT_HEADERS).toEqual({
      'access-control-allow-origin': '*',
      allow: 'GET, HEAD, OPTIONS',
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-max-age': '86400',
      'access-control-expose-headers':
        'ETag, X-Cache, X-Data-Version, X-Request-Id, X-Served-By, X-Table-Id, Retry-After',
    });
  });
});
