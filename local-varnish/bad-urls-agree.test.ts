// @module-tag needs-docker
// Varnish refuses some URLs itself (normalize.vcl: encodings that would give one tile several cache keys; policy.vcl:
// the pods' operational endpoints), and passes the rest to the API. A client must get the same answer either way:
// the API's bad-input corpus and its non-canonical spellings of real resources (api/test/bad-input-corpus.ts), through
// the real varnishd (production's image, the chart's policy) and straight from the real API on the seeded emulator:
// same status, same JSON error. And the spellings Varnish folds into one key instead (query strings it drops or sorts)
// get from the API exactly the canonical URL's answer, and from Varnish that cached object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSeededEmulator, type Emulator } from '@maps-api/emulator';
import * as corpus from '../api/test/bad-input-corpus.js';
import { startApi, type ApiProcess } from '../stack/api-process.js';
import { startVarnish, type RunningVarnish } from './varnish.js';

interface Case {
  name: string;
  path: string;
  method?: string;
}

// Every corpus the API exports (arrays of {name, path}), so a case added there is checked here too.
const apiCases: Case[] = Object.values(corpus)
  .flatMap((value: unknown) => (Array.isArray(value) ? (value as Case[]) : []))
  .filter((c) => typeof c.path === 'string' && typeof c.name === 'string')
  .filter((c, i, all) => all.findIndex((other) => other.path === c.path) === i);

// Spellings Varnish accepts and rewrites to one cache key (normalize.vcl: a tile reads no query string; a table reads
// only geomField and format, in any order): the API must answer each exactly as it answers the canonical URL, or the
// cache would hand one spelling's answer to another.
const TILE = '/maps/tileset/carto-demo-data.demo_tilesets.osm_buildings/0/0/0';
const TABLE = '/maps/table/carto-demo-data.demo_tables.retail_stores';
const NORMALISED = [
  { canonical: TILE, variants: [`${TILE}?`, `${TILE}?v=2`, `${TILE}?z=5&format=png`] },
  {
    canonical: `${TABLE}?format=geojson&geomField=geom`,
    variants: [
      `${TABLE}?geomField=geom&format=geojson`,
      `${TABLE}?geomField=geom&&format=geojson&`,
      `${TABLE}?geomField=geom&callback=x&format=geojson`,
      `${TABLE}?limit=1&format=geojson&geomField=geom&geomfield=other`,
    ],
  },
];

let emulator: Emulator;
let api: ApiProcess;
let varnish: RunningVarnish;
let workDir: string;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  api = await startApi({ env: { BIGQUERY_EMULATOR_HOST: emulator.host, LOG_LEVEL: 'warn' } });
  workDir = await mkdtemp(join(tmpdir(), 'bad-urls-agree-'));
  varnish = await startVarnish({
    backends: [{ host: '127.0.0.1', port: api.port }],
    listenPort: await freePort(),
    mallocMb: 32,
    transientMb: 16,
    workDir,
  });
}, 180_000);

afterAll(async () => {
  await varnish?.stop();
  await api?.stop();
  await emulator?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  statusCode?: number;
  error?: string;
  json: boolean;
}

async function answer(base: string, { path, method }: Case): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method: method ?? 'GET', redirect: 'manual' });
  const text = await res.text();
  const json = /^application\/json/.test(res.headers.get('content-type') ?? '');
  const body = json ? (JSON.parse(text) as { statusCode?: number; error?: string }) : {};
  return { status: res.status, statusCode: body.statusCode, error: body.error, json };
}

describe('Varnish and the API answer bad and non-canonical URLs alike', () => {
  it('the corpus is there', () => {
    expect(apiCases.length).toBeGreaterThanOrEqual(40);
  });

  it('holds the non-canonical spellings the API exports', () => {
    expect(corpus.NON_CANONICAL_URLS.length).toBeGreaterThanOrEqual(10);
  });

  // A parameter whose *name* is encoded (`geom%46ield=`) is not refused but dropped by Varnish's normalisation (the key
  // keeps only geomField and format, spelled plainly), so it makes no second key either; the API then answers 400
  // for the missing geomField, which the corpus comparison below checks.
  const encodedName = (path: string) => /[?&][^=&]*%/.test(path);
  it.each(corpus.NON_CANONICAL_URLS.filter((c) => c.status === 400 && !encodedName(c.path)))(
    'refuses $name itself, before any cache lookup',
    async ({ path }) => {
      const res = await fetch(`${varnish.url}${path}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('x-cache')).toBe('SYNTH');
    },
  );

  it.each(apiCases)('$name', async (c) => {
    const fromApi = await answer(api.url, c);
    const fromVarnish = await answer(varnish.url, c);
    expect(fromApi.status).toBeGreaterThanOrEqual(400);
    expect(fromVarnish).toEqual(fromApi);
    expect(fromVarnish.json).toBe(true);
  });

  it.each(NORMALISED)(
    '$canonical: every spelling Varnish folds into its key gets the same answer from the API',
    async ({ canonical, variants }) => {
      const bytes = async (res: Response) => ({
        status: res.status,
        body: Buffer.from(await res.arrayBuffer()).toString('base64'),
      });
      const fromApi = await bytes(await fetch(`${api.url}${canonical}`));
      expect(fromApi.status).toBe(200);
      expect((await fetch(`${varnish.url}${canonical}`)).status).toBe(200);
      for (const variant of variants) {
        expect(await bytes(await fetch(`${api.url}${variant}`)), variant).toEqual(fromApi);
        const res = await fetch(`${varnish.url}${variant}`);
        expect(res.headers.get('x-cache'), variant).toBe('HIT');
        expect(await bytes(res), variant).toEqual(fromApi);
      }
    },
  );

  it("the pods' operational endpoints are not reachable through Varnish in any spelling, /healthz is", async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(200); // the API does serve them: the check can fail
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    for (const path of [
      '/metrics',
      '/readyz',
      '/metrics?x=1',
      '/readyz#x',
      '/metrics/',
      '//metrics',
      '/./metrics',
      '/%6Detrics',
      '/METRICS',
    ]) {
      const res = await fetch(`${varnish.url}${path}`);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(await res.text(), path).not.toMatch(/process_cpu|maps_api_|"ready"/);
    }
    expect((await fetch(`${varnish.url}/healthz`)).status).toBe(200);
  });
});
