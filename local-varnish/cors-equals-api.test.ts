// Varnish answers preflights and its own errors itself (charts/maps-api/files/vcl/cors.vcl); a browser must not be
// able to tell those answers from the API's. The real API process and varnishd with the chart's policy in front of
// it get the same requests, and every CORS header (and Allow) must be equal, and equal to api/src/cors.ts.
// @module-tag needs-docker
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@maps-api/emulator';
import { CORS_PREFLIGHT_HEADERS, CORS_RESPONSE_HEADERS } from '../api/src/cors.js';
import { startApi, type ApiProcess } from '../stack/api-process.js';
import { startVarnish, type RunningVarnish } from './varnish.js';

let api: ApiProcess;
let varnish: RunningVarnish;
let workDir: string;

beforeAll(async () => {
  // Neither preflights nor refusals query BigQuery: an unreachable emulator address is enough.
  api = await startApi({ env: { BIGQUERY_EMULATOR_HOST: '127.0.0.1:9', LOG_LEVEL: 'warn' } });
  workDir = await mkdtemp(join(tmpdir(), 'cors-equals-api-'));
  varnish = await startVarnish({
    backends: [{ host: '127.0.0.1', port: api.port }],
    listenPort: await freePort(),
    mallocMb: 32,
    transientMb: 16,
    workDir,
  });
});

afterAll(async () => {
  await varnish?.stop();
  await api?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The CORS headers of an answer, plus Allow: what a browser (or a client reading Allow) can tell apart. */
async function corsHeaders(
  url: string,
  init: RequestInit,
): Promise<{ status: number; headers: Record<string, string> }> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  const headers = Object.fromEntries(
    [...res.headers].filter(([name]) => name.startsWith('access-control-') || name === 'allow'),
  );
  return { status: res.status, headers };
}

const preflight = (headers: Record<string, string>): RequestInit => ({
  method: 'OPTIONS',
  headers: { origin: 'https://jsfiddle.net', 'access-control-request-method': 'GET', ...headers },
});
const tile = '/maps/tileset/carto-demo-data.demo_tilesets.osm_buildings/0/0/0';

describe("Varnish's CORS answers equal the API's", () => {
  it('preflight: same 204 and the same headers as @fastify/cors, reflecting the requested headers', async () => {
    for (const init of [
      preflight({ 'access-control-request-headers': 'x-requested-with, if-none-match' }),
      preflight({}),
      { method: 'OPTIONS' },
    ]) {
      const fromVarnish = await corsHeaders(`${varnish.url}${tile}`, init);
      const fromApi = await corsHeaders(`${api.url}${tile}`, init);
      expect(fromVarnish).toEqual(fromApi);
      expect(fromVarnish.status).toBe(204);
      expect(fromVarnish.headers).toMatchObject(CORS_PREFLIGHT_HEADERS);
    }
    const reflected = await corsHeaders(
      `${varnish.url}${tile}`,
      preflight({ 'access-control-request-headers': 'x-requested-with, if-none-match' }),
    );
    expect(reflected.headers['access-control-allow-headers']).toBe('x-requested-with, if-none-match');
  });

  it('405 for a write: Varnish refuses it with the same CORS headers and Allow as the API', async () => {
    const init = { method: 'POST', headers: { origin: 'https://jsfiddle.net' }, body: '{}' };
    const fromVarnish = await corsHeaders(`${varnish.url}${tile}`, init);
    const fromApi = await corsHeaders(`${api.url}${tile}`, init);
    expect(fromVarnish.status).toBe(405);
    expect(fromApi.status).toBe(405);
    expect(fromVarnish.headers).toEqual(fromApi.headers);
    expect(fromVarnish.headers).toMatchObject(CORS_RESPONSE_HEADERS);
  });

  it('a cached answer carries the same CORS headers from Varnish (MISS and HIT) as from the API', async () => {
    const init = { headers: { origin: 'https://jsfiddle.net' } };
    const fromApi = await corsHeaders(`${api.url}/`, init);
    expect(fromApi.headers).toMatchObject(CORS_RESPONSE_HEADERS);
    for (const expected of ['MISS', 'HIT']) {
      const res = await fetch(`${varnish.url}/`, init);
      expect(res.headers.get('x-cache')).toBe(expected);
      const fromVarnish = await corsHeaders(`${varnish.url}/`, init);
      expect(fromVarnish.headers).toEqual(fromApi.headers);
    }
  });
});
