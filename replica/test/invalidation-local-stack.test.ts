// Invalidation end to end on the local stack (stack/native.ts: emulator, API process, varnishd with the chart's VCL):
// the API serves the public id from a replica (SERVED_TABLES, as every environment does), `replicate` refreshes
// that replica from a changed source, and its invalidate step bans the local Varnish directly (loopback: inside
// `acl purgers`). The tile's next answer carries the new data version at once; another table's object stays cached.
// The tool and the API reach the stack's emulator through the BigQuery stand-in and the copy-job test server, which
// copy as BigQuery does (local-bigquery's own copy drops the partitioning and clustering the verification compares)
// and move lastModifiedTime as BigQuery does (so both see the same data version).
// @module-tag needs-docker
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emulatorClient,
  freePort,
  SAMPLE_TABLE,
  SAMPLE_TILESET,
  sampleTileRows,
  startBigQueryStandIn,
  type BigQueryStandIn,
} from '@maps-api/emulator';
import { startNativeStack, type NativeStack } from '../../stack/native.js';
import { ExitCode } from '../src/exit-codes.js';
import { startBigQueryTestServer, type BigQueryTestServer } from './bigquery-test-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const REPLICA = 'maps-api-dev.maps_replica.osm_buildings';

let stack: NativeStack;
let standIn: BigQueryStandIn;
let server: BigQueryTestServer;

beforeAll(async () => {
  stack = await startNativeStack({
    apis: 1,
    varnishPort: await freePort(),
    apiEnv: {
      SERVED_TABLES: `${SAMPLE_TILESET}=${REPLICA},${SAMPLE_TABLE}`,
    },
    frontOfEmulator: async (emulatorHost) => {
      standIn = await startBigQueryStandIn(emulatorHost);
      server = await startBigQueryTestServer(standIn.host);
      return server.host;
    },
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await standIn?.stop();
  await stack?.stop();
});

function replicate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'replicate', '--', ...args], {
      cwd: root,
      env: { ...process.env, BIGQUERY_EMULATOR_HOST: server.host, REPLICA_POLL_MS: '100' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function get(path: string) {
  const res = await fetch(`${stack.url}${path}`);
  await res.arrayBuffer();
  return {
    status: res.status,
    cache: res.headers.get('x-cache'),
    table: res.headers.get('x-table-id'),
    version: res.headers.get('x-data-version'),
  };
}

const tile = (z: number, x: number, y: number) => `/maps/tileset/${SAMPLE_TILESET}/${z}/${x}/${y}`;
const table = `/maps/table/${SAMPLE_TABLE}?geomField=geom&format=geojson`;

describe('a replica refresh on the local stack', () => {
  it("changes a cached tile's X-Data-Version at once, while another table's objects stay cached", async () => {
    const first = await replicate('--dest-project', 'maps-api-dev', '--json');
    expect(first.code, first.stderr).toBe(ExitCode.OK);

    const [z, x, y] = [0, 0, 0];
    const cold = await get(tile(z, x, y));
    expect(cold).toMatchObject({ status: 200, cache: 'MISS', table: REPLICA });
    expect(await get(tile(z, x, y))).toMatchObject({ cache: 'HIT', version: cold.version });
    expect((await get(table)).status).toBe(200);
    expect(await get(table)).toMatchObject({ cache: 'HIT', table: SAMPLE_TABLE });

    // The source changes (one more tile row). The API has just read the replica's metadata (a miss of another tile)
    // and keeps reporting that version for TABLE_METADATA_TTL_MS (30 s, its default): the refresh takes less, so a
    // ban right after the switch would be refilled with the old version. The default settle wait (31 s) covers it.
    const row = sampleTileRows().find((r) => r.z === 15)!;
    await emulatorClient(stack.emulator.host)
      .dataset('demo_tilesets')
      .table('osm_buildings')
      .insert([{ ...row, y: row.y + 1, data: row.data.toString('base64') }]);
    expect((await get(tile(1, 0, 0))).version).toBe(cold.version);

    const refresh = await replicate('--dest-project', 'maps-api-dev', '--json', '--ban-url', `${stack.url}/`);
    expect(refresh.code, refresh.stderr).toBe(ExitCode.OK);
    const report = JSON.parse(refresh.stdout);
    expect(report).toMatchObject({ outcome: 'copied', ban: { ok: true, table: REPLICA } });

    const after = await get(tile(z, x, y));
    expect(after).toMatchObject({
      status: 200,
      cache: 'MISS',
      table: REPLICA,
      version: report.ban.dataVersion,
    });
    expect(after.version).not.toBe(cold.version);
    expect(await get(tile(z, x, y))).toMatchObject({ cache: 'HIT', version: after.version });
    expect(await get(table)).toMatchObject({ cache: 'HIT', table: SAMPLE_TABLE });
  }, 240_000);
});
