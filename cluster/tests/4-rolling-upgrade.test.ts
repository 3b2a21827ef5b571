// A rolling upgrade of the API to a new digest while bounded load runs through Varnish: no request fails, and
// afterwards only the new pods answer (X-Served-By is the pod name).
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
  type LoadResult,
} from './support.js';

const env = 'dev';
const namespace = rehearsal.namespaceOf(env);
let forward: PortForward;
let upgrade: DeployRun;
let during: LoadResult;
let oldPods: string[];
let newImage: string;

beforeAll(async () => {
  newImage = await derivedApiImage(
    images().api,
    'upgrade',
    'LABEL org.opencontainers.image.version="rehearsal-upgrade"',
  );
  oldPods = (await podsOf(namespace, 'api')).map((p) => p.metadata!.name!);
  forward = await portForward(namespace, `service/${varnishService}`, 8080);
  let done = false;
  const traffic = load(`${forward.url}/healthz`, {
    workers: 4,
    maxRequests: 50_000,
    maxSeconds: 420,
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

  it('fails no request through Varnish', () => {
    console.log(`${during.requests} requests during the upgrade, served by ${during.servedBy.size} pods`);
    expect(during.requests).toBeGreaterThan(100);
    expect(during.failures).toEqual([]);
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
    const after = await load(`${forward.url}/healthz`, {
      workers: 2,
      maxRequests: 60,
      maxSeconds: 60,
      stop: () => false,
    });
    expect(after.failures).toEqual([]);
    const names = pods.map((p) => p.metadata!.name!);
    expect([...after.servedBy].every((name) => names.includes(name))).toBe(true);
  });
});
