// The tables an environment serves (SERVED_TABLES): clients keep `carto-demo-data.…` in every environment, the API
// reads that environment's replica for it, and any id not listed is refused before BigQuery hears of it. Over real
// HTTP against the BigQuery emulator holding both tables with different data.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_TABLE,
  SAMPLE_TILESET,
  TILESET_SCHEMA,
  createTable,
  emulatorClient,
  sampleTileRows,
  startSeededEmulator,
  type Emulator,
} from '@maps-api/emulator';
import { loadConfig } from '../src/config.js';
import { rawGet, recordingProxy, startApi, type ApiProcess } from './harness.js';

const REPLICA = 'maps-api-dev.maps_replica.osm_buildings';
const REPLICA_TILE = gzipSync(Buffer.from('the replica, not the source'));
const tile = (id: string, zxy = '0/0/0') => `/maps/tileset/${id}/${zxy}`;

let emulator: Emulator;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
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
  proxy = await recordingProxy(emulator.host);
  [replicaOnly, local] = await Promise.all([
    // staging/production's shape: the public id served from the replica, nothing else.
    startApi({ BIGQUERY_EMULATOR_HOST: proxy.host, SERVED_TABLES: `${SAMPLE_TILESET}=${REPLICA}` }),
    // the local stack's shape: the default list, the sample data under the public names.
    startApi({ BIGQUERY_EMULATOR_HOST: emulator.host }),
  ]);
});
afterAll(async () => {
  await Promise.all([replicaOnly?.stop(), local?.stop()]);
  await proxy?.close();
  await emulator?.stop();
});

describe('a public id listed with a backing table', () => {
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
    expect(proxy.bodies.filter((body) => body.includes('carto-demo-data'))).toEqual([]);
  });

  it('revalidates to 304 on its validator', async () => {
    const first = await rawGet(`${replicaOnly.url}${tile(SAMPLE_TILESET)}`);
    const revalidated = await rawGet(`${replicaOnly.url}${tile(SAMPLE_TILESET)}`, {
      'if-none-match': String(first.headers.etag),
    });
    expect(revalidated.status).toBe(304);
  });
});

describe('an id that is not listed', () => {
  it.each([
    ['another table of the same public dataset', tile('carto-demo-data.demo_tilesets.other_tileset')],
    ['the backing table under its own id', tile(REPLICA)],
    ['another table of the replica dataset', tile('maps-api-dev.maps_replica.secret')],
    ['the sample table on the table route', `/maps/table/${SAMPLE_TABLE}?geomField=geom`],
  ])('is refused with 403 JSON naming the served ids, before any BigQuery call: %s', async (_what, path) => {
    const before = proxy.bodies.length;
    const res = await fetch(`${replicaOnly.url}${path}`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('FORBIDDEN');
    expect(body.message).toMatch(/^table \S+ is not served by this API; public table ids served here: /);
    expect(body.message.endsWith(`public table ids served here: ${SAMPLE_TILESET}`)).toBe(true);
    expect(proxy.bodies.length).toBe(before);
  });
});

describe('the default list (the local stack)', () => {
  it('serves the sample ids from the tables of those names', async () => {
    const res = await rawGet(`${local.url}${tile(SAMPLE_TILESET)}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(sampleTileRows().find((r) => r.z === 0)!.data)).toBe(true);
    expect(res.headers['x-table-id']).toBe(SAMPLE_TILESET);
    expect(res.headers['x-data-version']).not.toBe(replicaVersion);
    expect((await fetch(`${local.url}/maps/table/${SAMPLE_TABLE}?geomField=geom`)).status).toBe(200);
  });

  it('refuses other tables of the sample datasets, which the dataset-level list used to allow', async () => {
    expect((await fetch(`${local.url}${tile('carto-demo-data.demo_tilesets.other_tileset')}`)).status).toBe(
      403,
    );
  });
});

describe('SERVED_TABLES at startup', () => {
  it('parses public and public=backing entries', () => {
    const served = loadConfig({
      SERVED_TABLES: ` ${SAMPLE_TILESET} = ${REPLICA} , ${SAMPLE_TABLE} `,
    }).SERVED_TABLES;
    expect([...served]).toEqual([
      [SAMPLE_TILESET, REPLICA],
      [SAMPLE_TABLE, SAMPLE_TABLE],
    ]);
  });

  it.each([
    ['an entry with two =', `${SAMPLE_TILESET}=${REPLICA}=${REPLICA}`, /is not public or public=backing/],
    [
      'an id that is not project.dataset.table',
      `${SAMPLE_TILESET}=maps_replica.osm_buildings`,
      /not project/,
    ],
    ['a dataset instead of a table', 'carto-demo-data.demo_tilesets', /not project/],
    ['a public id listed twice', `${SAMPLE_TILESET},${SAMPLE_TILESET}=${REPLICA}`, /listed twice/],
    ['an empty list', ' , ', /no table id/],
  ])('refuses %s', (_what, served, message) => {
    expect(() => loadConfig({ SERVED_TABLES: served })).toThrow(message);
  });
});
