// Losing pods: a deleted Varnish pod is replaced and serving within a bounded time; with every API pod gone, cached
// URLs still answer 200 through Varnish (grace) and uncached ones a fast 503; the API then comes back.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { portForward, rehearsal, type PortForward } from '../lib/kube.js';
import {
  apiDeployment,
  apps,
  core,
  deploymentReady,
  isReady,
  podsOf,
  varnishService,
  waitFor,
} from './support.js';

const env = 'staging';
const namespace = rehearsal.namespaceOf(env);
const tileset = 'maps-api-staging.maps_replica.osm_buildings';
const forwards: PortForward[] = [];
afterAll(() => forwards.forEach((f) => f.close()));

async function varnish(): Promise<PortForward> {
  const forward = await portForward(namespace, `service/${varnishService}`, 8080);
  forwards.push(forward);
  return forward;
}

async function get(base: string, path: string) {
  const started = Date.now();
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return { status: response.status, xCache: response.headers.get('x-cache') ?? '', ms: Date.now() - started };
}

describe('losing pods', () => {
  it('replaces a deleted Varnish pod with a ready, serving one within 120 s', async () => {
    const [old] = await podsOf(namespace, 'varnish');
    const started = Date.now();
    await core.deleteNamespacedPod({ name: old!.metadata!.name!, namespace });
    await waitFor('a new ready Varnish pod', 120, async () => {
      const pods = await podsOf(namespace, 'varnish');
      return pods.some(
        (p) => p.metadata?.name !== old!.metadata?.name && isReady(p) && !p.metadata?.deletionTimestamp,
      );
    });
    const { url } = await varnish();
    expect((await get(url, '/')).status).toBe(200);
    const seconds = (Date.now() - started) / 1000;
    console.log(`Varnish pod replaced and serving in ${seconds.toFixed(0)}s`);
    expect(seconds).toBeLessThan(120);
  });

  it('serves cached URLs (grace) and a fast 503 for others while every API pod is gone', async () => {
    const { url } = await varnish();
    const cached = `/maps/tileset/${tileset}/0/0/0`;
    const uncached = `/maps/tileset/${tileset}/1/1/1`;
    expect((await get(url, cached)).status).toBe(200);
    expect((await get(url, cached)).xCache).toMatch(/^HIT/);

    await apps.patchNamespacedDeploymentScale(
      { name: apiDeployment, namespace, body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    try {
      await waitFor('no API pod left', 120, async () => (await podsOf(namespace, 'api')).length === 0);
      await waitFor(
        'Varnish sees the API as down',
        30,
        async () => (await get(url, uncached)).status === 503,
      );
      const stale = await get(url, cached);
      expect(stale.status).toBe(200);
      const fast = await get(url, `/maps/tileset/${tileset}/1/0/1`);
      expect(fast.status).toBe(503);
      expect(fast.ms).toBeLessThan(1000);
    } finally {
      await apps.patchNamespacedDeploymentScale(
        { name: apiDeployment, namespace, body: { spec: { replicas: 5 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
    await waitFor('5 ready API pods again', 180, () => deploymentReady(namespace, apiDeployment, 5));
    await waitFor(
      // 1/1/1 holds no building: the API answers 204, which Varnish fetches again instead of its 503.
      'Varnish reaches the API again',
      60,
      async () => (await get(url, uncached)).status === 204,
    );
  });
});
