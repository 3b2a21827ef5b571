// Stable public ids (TABLE_ALIASES): clients keep `carto-demo-data.…` in every environment and the API reads that
// environment's replica, over real HTTP against the BigQuery emulator holding both tables with different data.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_TILESET,
  TILESET_SCHEMA,
  createTable,
  emulatorClient,
  sampleTileRows,
  startSeededEmulator,
  type Emulator,
} from '@maps-api/emulator';
import { loadConfig } from '../src/config.js';
import { rawGet, startApi, type ApiProcess } from './harness.js';

const REPLICA = 'maps-api-dev.maps_replica.osm_buildings';
const REPLICA_TILE = gzipSync(Buffer.from('the replica, not the source'));
const ALIASES = `${SAMPLE_TILESET}=${REPLICA}`;
const tile = (id: string, zxy = '0/0/0') => `/maps/tileset/${id}/${zxy}`;

let emulator: Emulator;
let replicaOnly: ApiProcess;
let local: ApiProcess;
let replicaVersion: string;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  const client = emulatorClient(emulator.host, 'maps-api-dev');
  const rows = [{ z: 0, x: 0, y: 0, data: REPLICA_TILE.toString('base64') }];
  await createTable(client, REPLICA, TILESET_SCHEMA, rows);
  const [metadata] = await client.dataset('maps_replica').table('osm_buildings').getMetadata();
  replicaVersion = new Date(Number(metadata.lastModifiedTime)).toISOString();
  [replicaOnly, local] = await Promise.all([
    // staging/production's shape: only the replica dataset is readable, the public id is mapped onto it.
    startApi({
      BIGQUERY_EMULATOR_HOST: emulator.host,
      ALLOWED_DATASETS: 'maps-api-dev.maps_replica',
      TABLE_ALIASES: ALIASES,
    }),
    // the local stack's shape: no map, the sample data under the public names.
    startApi({ BIGQUERY_EMULATOR_HOST: emulator.host }),
  ]);
});
afterAll(async () => {
  await Promise.all([replicaOnly?.stop(), local?.stop()]);
  await emulator?.stop();
});

describe('a public id mapped by TABLE_ALIASES', () => {
  it('is served from the backing table, which X-Table-Id and X-Data-Version name', async () => {
    const res = await rawGet(`${replicaOnly.url}${tile(SAMPLE_TILESET)}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(REPLICA_TILE)).toBe(true);
    expect(res.headers['x-table-id']).toBe(REPLICA);
    expect(res.headers['x-data-version']).toBe(replicaVersion);
  });

  it('answers 204 for a tile only the source has: nothing is read from the source', async () => {
    const sourceOnly = sampleTileRows().find((r) => r.z === 1)!;
    const res = await rawGet(
      `${replicaOnly.url}${tile(SAMPLE_TILESET, `1/${sourceOnly.x}/${sourceOnly.y}`)}`,
    );
    expect(res.status).toBe(204);
    expect(res.headers['x-table-id']).toBe(REPLICA);
  });

  it('shares its validator with the backing id, and revalidates to 304', async () => {
    const viaPublic = await rawGet(`${replicaOnly.url}${tile(SAMPLE_TILESET)}`);
    const viaBacking = await rawGet(`${replicaOnly.url}${tile(REPLICA)}`);
    expect(viaBacking.headers.etag).toBe(viaPublic.headers.etag);
    const revalidated = await rawGet(`${replicaOnly.url}${tile(SAMPLE_TILESET)}`, {
      'if-none-match': String(viaPublic.headers.etag),
    });
    expect(revalidated.status).toBe(304);
  });
});

describe('an id that is not mapped', () => {
  it('is refused with 403 JSON naming the public ids when its dataset is not allowed', async () => {
    const res = await fetch(`${replicaOnly.url}${tile('carto-demo-data.demo_tilesets.other_tileset')}`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('FORBIDDEN');
    expect(body.message).toBe(
      `dataset carto-demo-data.demo_tilesets is not served by this API; public table ids served here: ${SAMPLE_TILESET}`,
    );
  });

  it('refuses the unmapped table route too (the replica-only allow-list has no carto-demo-data)', async () => {
    const res = await fetch(
      `${replicaOnly.url}/maps/table/carto-demo-data.demo_tables.retail_stores?geomField=geom`,
    );
    expect(res.status).toBe(403);
  });
});

describe('without TABLE_ALIASES (the local stack)', () => {
  it('serves the public id from the table of that name, as before', async () => {
    const res = await rawGet(`${local.url}${tile(SAMPLE_TILESET)}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(sampleTileRows().find((r) => r.z === 0)!.data)).toBe(true);
    expect(res.headers['x-table-id']).toBe(SAMPLE_TILESET);
    expect(res.headers['x-data-version']).not.toBe(replicaVersion);
  });
});

describe('TABLE_ALIASES validation at startup', () => {
  const env = (aliases: string) => ({
    ALLOWED_DATASETS: 'maps-api-dev.maps_replica',
    TABLE_ALIASES: aliases,
  });

  it('parses public=backing pairs', () => {
    expect([...loadConfig(env(` ${ALIASES} `)).TABLE_ALIASES]).toEqual([[SAMPLE_TILESET, REPLICA]]);
  });

  it.each([
    [
      'a backing table outside ALLOWED_DATASETS',
      `${SAMPLE_TILESET}=carto-demo-data.demo_tilesets.x`,
      /outside/,
    ],
    ['a pair without =', SAMPLE_TILESET, /is not public=backing/],
    [
      'an id that is not project.dataset.table',
      `${SAMPLE_TILESET}=maps_replica.osm_buildings`,
      /not project/,
    ],
    ['a public id mapped twice', `${ALIASES},${ALIASES}`, /mapped twice/],
  ])('refuses %s', (_what, aliases, message) => {
    expect(() => loadConfig(env(aliases))).toThrow(message);
  });
});
