// Invalidation on a real cluster, as the pipeline does it: the replica tool, run as the environment's replica
// identity (impersonated: the chart binds its invalidator Role to that user name), refreshes dev's replica from a
// changed source and bans through the Kubernetes API's port-forward, so the BAN reaches Varnish from 127.0.0.1 inside
// the pod. All test traffic goes through 127.0.0.1 port-forwards (emulator, Varnish).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { emulatorClient, SAMPLE_TABLE, SAMPLE_TILESET, sampleTileRows } from '@maps-api/emulator';
import { forwardToPod } from '../../ci/deploy/port-forward.js';
import { portForward, rehearsal, repoRoot, type PortForward } from '../lib/kube.js';
import { podsOf, varnishService } from './support.js';

const env = 'dev';
const namespace = rehearsal.namespaceOf(env);
const project = 'maps-api-dev';
const replica = `${project}.maps_replica.osm_buildings`;
const replicaUser = `maps-replica@${project}.iam.gserviceaccount.com`;
const forwards: PortForward[] = [];
let emulatorHost: string;
let varnishUrl: string;
let workDir: string;

/** The rehearsal's kubeconfig, acting as `user` (Impersonate-User): what that identity's own token would be allowed. */
function kubeconfigAs(user: string): string {
  const config = parse(readFileSync(rehearsal.kubeconfig, 'utf8')) as {
    users: { user: Record<string, unknown> }[];
  };
  for (const entry of config.users) entry.user.as = user;
  const file = join(workDir, `${user.replace(/[^a-z0-9]/g, '-')}.kubeconfig`);
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'invalidation-test-'));
  const emulator = await portForward(
    rehearsal.emulatorNamespace,
    `service/${rehearsal.emulatorService}`,
    rehearsal.emulatorPort,
  );
  const varnish = await portForward(namespace, `service/${varnishService}`, 8080);
  forwards.push(emulator, varnish);
  emulatorHost = `${emulator.url}/bigquery/v2`;
  varnishUrl = varnish.url;
});

afterAll(() => {
  forwards.forEach((f) => f.close());
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * One refresh of this environment's replica, banning through its Varnish. --mode overwrite, not the default versioned:
 * the emulator's copy into a new version table drops partitioning and clustering (BigQuery's keeps them), which
 * verification rightly refuses; a copy over the seeded replica keeps them.
 */
function refreshReplica(kubeconfig: string) {
  const args = [
    '--mode',
    'overwrite',
    '--dest-project',
    project,
    '--json',
    '--ban-service',
    `${namespace}/${varnishService}`,
  ];
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'replica/src/cli.ts', ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        BIGQUERY_EMULATOR_HOST: emulatorHost,
        METADATA_SERVER_DETECTION: 'none',
        REPLICA_POLL_MS: '200',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function get(path: string) {
  const response = await fetch(`${varnishUrl}${path}`, { signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    table: response.headers.get('x-table-id'),
    version: response.headers.get('x-data-version'),
  };
}

const tile = `/maps/tileset/${SAMPLE_TILESET}/0/0/0`;
const otherTable = `/maps/table/${SAMPLE_TABLE}?geomField=geom&format=geojson`;

describe('invalidation after a replica refresh (dev)', () => {
  it('lets only the replica identity port-forward to Varnish', async () => {
    const [pod] = await podsOf(namespace, 'varnish');
    const attempt = async (user: string) => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigAs(user));
      const forward = await forwardToPod(config, namespace, pod!.metadata!.name!, 8080);
      try {
        const response = await fetch(`${forward.url}/varnish-ready`, { signal: AbortSignal.timeout(15_000) });
        return response.status;
      } catch {
        return 'refused';
      } finally {
        await forward.close();
      }
    };
    expect(await attempt(replicaUser)).toBe(200);
    expect(await attempt(`maps-replica@maps-api-staging.iam.gserviceaccount.com`)).toBe('refused');
  });

  it("changes a cached tile's X-Data-Version at once after the refresh, while another table stays cached", async () => {
    const kubeconfig = kubeconfigAs(replicaUser);
    // A first refresh makes the replica the tool's own (the rehearsal seeded it without labels); 3: it already is.
    const first = await refreshReplica(kubeconfig);
    expect([0, 3], first.stderr).toContain(first.code);

    const cold = await get(tile);
    expect(cold).toMatchObject({ status: 200, table: replica });
    expect(await get(tile)).toMatchObject({ cache: 'HIT', version: cold.version });
    // Earlier tests cached this table (TTL 300 s): purge it (the port-forward is loopback, inside the ACL) so the object
    // this test checks is fresh for the whole test, not expiring in the middle of it.
    expect((await fetch(`${varnishUrl}${otherTable}`, { method: 'PURGE' })).status).toBe(200);
    expect((await get(otherTable)).status).toBe(200);
    expect(await get(otherTable)).toMatchObject({ cache: 'HIT', table: SAMPLE_TABLE });

    const row = sampleTileRows().find((r) => r.z === 15)!;
    await emulatorClient(emulatorHost)
      .dataset('demo_tilesets')
      .table('osm_buildings')
      .insert([{ ...row, y: row.y + 2, data: row.data.toString('base64') }]);
    // Every API pod now holds the replica's metadata (20 misses of tiles nobody asked for, spread over the 5 pods by
    // the Service) and keeps reporting the old version for 30 s: the default settle wait covers that.
    for (let i = 0; i < 20; i++)
      await get(`/maps/tileset/${SAMPLE_TILESET}/20/${Date.now() % 1_000_000}/${i}`);

    const refresh = await refreshReplica(kubeconfig);
    expect(refresh.code, refresh.stderr).toBe(0);
    const report = JSON.parse(refresh.stdout);
    expect(report.outcome).toBe('copied');
    expect(report.ban).toMatchObject({ ok: true, table: replica });
    expect(report.ban.answers).toEqual(
      (await podsOf(namespace, 'varnish'))
        .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
        .map((p) => expect.objectContaining({ pod: p.metadata!.name, status: 200 })),
    );

    const after = await get(tile);
    expect(after).toMatchObject({
      status: 200,
      cache: 'MISS',
      table: replica,
      version: report.ban.dataVersion,
    });
    expect(after.version).not.toBe(cold.version);
    expect(await get(tile)).toMatchObject({ cache: 'HIT', version: after.version });
    expect(await get(otherTable)).toMatchObject({ cache: 'HIT', table: SAMPLE_TABLE });
  });
});
