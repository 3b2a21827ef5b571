// A release whose API image never gets ready is rolled back by --atomic: the old pods serve every request meanwhile,
// the deploy program exits non-zero and reports what the pods said, and the old revision is what stays deployed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedApiImage } from '../lib/images.js';
import { portForward, rehearsal, sh, type PortForward } from '../lib/kube.js';
import {
  apiDeployment,
  deploymentReady,
  images,
  isReady,
  load,
  podsOf,
  runDeploy,
  varnishService,
  type DeployRun,
  type LoadResult,
} from './support.js';

const env = 'staging';
const namespace = rehearsal.namespaceOf(env);
let forward: PortForward;
let oldPods: string[];
let run: DeployRun;
let traffic: LoadResult;
let historyBefore: { revision: number; status: string }[];

async function history() {
  return JSON.parse(await sh('helm', ['history', rehearsal.release, '-n', namespace, '-o', 'json'])) as {
    revision: number;
    status: string;
  }[];
}

beforeAll(async () => {
  // The API image with a command that never listens: the startup probe can never pass.
  const broken = await derivedApiImage(
    images().api,
    'never-ready',
    'CMD ["-e", "setInterval(() => {}, 1000)"]',
  );
  historyBefore = await history();
  oldPods = (await podsOf(namespace, 'api')).filter(isReady).map((p) => p.metadata!.name!);
  forward = await portForward(namespace, `service/${varnishService}`, 8080);
  let done = false;
  const healthz = () => ({ path: '/healthz', ok: [200] });
  const traffic$ = load(forward.url, [healthz, healthz], {
    maxRequests: 20_000,
    maxSeconds: 300,
    stop: () => done,
  });
  run = await runDeploy(env, broken, ['--timeout', '75s']);
  done = true;
  traffic = await traffic$;
});
afterAll(() => forward?.close());

describe('a release that never gets ready', () => {
  it('makes the deploy program exit non-zero', () => {
    expect(run.code, run.output).toBe(1);
  });

  it("reports the helm failure with the new pod's own reasons", () => {
    expect(run.output).toMatch(/helm upgrade failed/);
    expect(run.output).toMatch(/pods said:\n {2}pod maps-api-api-[a-z0-9]+-[a-z0-9]+: api: /);
    expect(run.output).toMatch(/Unhealthy: Startup probe failed/);
    expect(run.output).toMatch(/rolled back by --atomic to revision \d+/);
  });

  it('is rolled back: the previous revision is deployed again, with its 5 pods ready', async () => {
    const after = await history();
    expect(after.at(-1)?.status).toBe('deployed');
    expect(after.length).toBeGreaterThan(historyBefore.length);
    expect(await deploymentReady(namespace, apiDeployment, 5)).toBe(true);
    const ready = (await podsOf(namespace, 'api')).filter(isReady).map((p) => p.metadata!.name!);
    expect(ready.sort()).toEqual([...oldPods].sort());
  });

  it('never interrupted the old pods: every request through Varnish answered 200 from one of them', () => {
    expect(traffic.requests).toBeGreaterThan(50);
    expect(traffic.failures).toEqual([]);
    expect([...traffic.servedBy].every((name) => oldPods.includes(name))).toBe(true);
  });
});
