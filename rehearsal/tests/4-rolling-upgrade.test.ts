// A rolling upgrade of the API to a new digest while bounded load runs through Varnish: no request fails, and
// afterwards only the new pods answer (X-Served-By is the pod name). The load mixes what a map sends: cached tiles and
// a GeoJSON table (hits), tiles never asked before (misses: the API and BigQuery answer each one) and /healthz
// (passed: nothing in the cache can hide a failed fetch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedApiImage } from '../lib/images.js';
import { portForward, rehearsal, type PortForward } from '../lib/kube.js';
import {
  images,
  isReady,
  load,
  podsOf,
  runDeploy,
  varnishService,
  type DeployRun,
  type LoadRequest,
  type LoadResult,
} from './support.js';

const env = 'dev';
const namespace = rehearsal.namespaceOf(env);
const tileset = `/maps/tileset/maps-api-${env}.maps_replica.osm_buildings`;
const table = '/maps/table/carto-demo-data.demo_tables.retail_stores?geomField=geom&format=geojson';
let forward: PortForward;
let upgrade: DeployRun;
let during: LoadResult;
let oldPods: string[];
let newImage: string;

/** What a map sends, one worker each: cached tiles, a cached table, tiles nobody asked for yet, /healthz. */
function mapTraffic(salt: number): ((n: number) => LoadRequest)[] {
  return [
    (n) => ({ path: `${tileset}/${['0/0/0', '1/0/0'][n % 2]}`, ok: [200] }),
    () => ({ path: table, ok: [200] }),
    // A zoom-20 tile (x < 2^20) away from the sample buildings, new on every request: a miss the API answers (204).
    (n) => ({ path: `${tileset}/20/${salt + n}/1000`, ok: [204] }),
    () => ({ path: '/healthz', ok: [200] }),
  ];
}

beforeAll(async () => {
  newImage = await derivedApiImage(
    images().api,
    'upgrade',
    // A new digest on every run, so a kept cluster (`npm run rehearse -- --keep`) rolls again too.
    `LABEL org.opencontainers.image.version="rehearsal-upgrade-${Date.now()}"`,
  );
  oldPods = (await podsOf(namespace, 'api')).map((p) => p.metadata!.name!);
  forward = await portForward(namespace, `service/${varnishService}`, 8080);
  const salt = Date.now() % 400_000; // a fresh range of uncached tiles on every run against a kept cluster
  let done = false;
  // At most 100 requests/s per worker: the bounds are far enough that the load lasts the whole upgrade.
  const traffic = load(forward.url, mapTraffic(salt), {
    maxRequests: 150_000,
    maxSeconds: 420,
    paceMs: 10,
    stop: () => done,
  });
  upgrade = await runDeploy(env, newImage, ['--timeout', '6m']);
  done = true;
  during = await traffic;
});
afterAll(() => forward?.close());

describe('a rolling upgrade of the API under load', () => {
  it('deploys the new digest through every step', () => {
    expect(upgrade.code, upgrade.output).toBe(0);
  });

  it('fails no request through Varnish, cached, uncached or passed', () => {
    console.log(
      `${during.requests} requests during the upgrade, ${during.failures.length} failed, ` +
        `answered by ${during.answeredBy.size} API pods`,
    );
    expect(during.endedBy).toBe('stop'); // it lasted until the deploy returned
    expect(during.requests).toBeGreaterThan(400);
    expect(during.failures.slice(0, 20)).toEqual([]);
    // The load spanned the rollout: old and new pods both answered misses and passes.
    expect([...during.answeredBy].some((name) => oldPods.includes(name))).toBe(true);
    expect([...during.answeredBy].some((name) => !oldPods.includes(name))).toBe(true);
  });

  it('leaves only new pods of the new digest answering', async () => {
    const pods = (await podsOf(namespace, 'api')).filter(isReady);
    expect(pods).toHaveLength(5);
    for (const pod of pods) {
      expect(oldPods).not.toContain(pod.metadata!.name!);
      expect(pod.status?.containerStatuses?.[0]?.imageID).toContain(
        newImage.slice(newImage.indexOf('@') + 1),
      );
    }
    const after = await load(forward.url, mapTraffic((Date.now() % 400_000) + 500_000), {
      maxRequests: 200,
      maxSeconds: 60,
      stop: () => false,
    });
    expect(after.failures).toEqual([]);
    const names = pods.map((p) => p.metadata!.name!);
    expect(after.answeredBy.size).toBeGreaterThan(0);
    expect([...after.answeredBy].filter((name) => !names.includes(name))).toEqual([]);
  });
});
