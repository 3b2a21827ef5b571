// A first release that fails after helm succeeded (here: its smoke asks for a tileset dev refuses, 403) is
// uninstalled, not rolled back to a revision 0 that does not exist, and the error reported is the smoke's own; its
// Ingress stays (helm.sh/resource-policy: keep), so on GKE the load balancer keeps the static address and the
// certificate binding. The next deploy adopts it; when the environment's replica does not exist yet (the table behind
// the tileset is missing: 404), that deploy passes, says what to run and skips the checks that read the tileset.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkingV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, rehearsal, sh } from '../lib/kube.js';
import { core, images, kubeConfig, runDeploy, type DeployRun } from './support.js';

const namespace = 'maps-api-first-release';
const notMadeYet = 'maps-api-dev.maps_replica.not_made_yet';
let failed: DeployRun;
let ingressAfterFailure: string | undefined;
let waiting: DeployRun;

const ingressUid = async () =>
  (
    await kubeConfig
      .makeApiClient(NetworkingV1Api)
      .readNamespacedIngress({ name: rehearsal.release, namespace })
      .catch(() => undefined)
  )?.metadata?.uid;

beforeAll(async () => {
  failed = await runDeploy(
    'dev',
    images().api,
    ['--timeout', '5m', '--smoke-tileset', 'maps-api-staging.maps_replica.osm_buildings'],
    namespace,
  );
  ingressAfterFailure = await ingressUid();
  // dev as it is before its first replica refresh: the tileset it serves is backed by a table that does not exist.
  const values = join(mkdtempSync(join(tmpdir(), 'first-release-')), 'no-replica.yaml');
  writeFileSync(
    values,
    [
      'api:',
      '  config:',
      '    servedTables:',
      `      - id: ${notMadeYet}`,
      '      - id: carto-demo-data.demo_tables.retail_stores',
      '',
    ].join('\n'),
  );
  waiting = await runDeploy(
    'dev',
    images().api,
    ['--timeout', '5m', '--values', values, '--smoke-tileset', notMadeYet],
    namespace,
  );
});
afterAll(() => kubectl('delete', 'namespace', namespace, '--wait=false', '--ignore-not-found'));

describe('a first release that fails its smoke test', () => {
  it('exits non-zero with the original error first', () => {
    expect(failed.code, failed.output).toBe(1);
    expect(failed.output).toMatch(
      /failed: smoke failed: \/maps\/tileset\/maps-api-staging\.maps_replica\.osm_buildings\/0\/0\/0 is not 200/,
    );
  });

  it('is uninstalled but keeps its Ingress (the load balancer, its address and certificate binding)', () => {
    expect(failed.output).toContain('rollback: first release: uninstalled (its Ingress kept');
    expect(failed.output).not.toMatch(/rollback failed/);
    expect(ingressAfterFailure).toBeDefined();
  });

  it('created the namespace with the restricted Pod Security labels', async () => {
    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('the next deploy, before the environment has its replica', () => {
  it('adopts the kept Ingress and deploys: exit 0, the release deployed, the same Ingress object', async () => {
    expect(waiting.code, waiting.output).toBe(0);
    const releases = JSON.parse(await sh('helm', ['list', '-n', namespace, '-o', 'json'])) as {
      status: string;
    }[];
    expect(releases.map((r) => r.status)).toEqual(['deployed']);
    expect(await ingressUid()).toBe(ingressAfterFailure);
  });

  it('says the tileset does not exist yet and what to run, instead of failing its smoke', () => {
    expect(waiting.output).toContain(`the tileset ${notMadeYet} does not exist yet`);
    expect(waiting.output).toContain(
      'gh workflow run replica.yml -f env=dev -f dry-run=false -f invalidate=false',
    );
    expect(waiting.output).toMatch(/^::warning title=dev is waiting::/m);
    expect(waiting.output).toMatch(/^waiting +smoke/m);
    expect(waiting.output).toMatch(/^skipped +helm test/m);
    expect(waiting.output).not.toMatch(/rollback/);
  });

  it('skips the public check, saying so (no load balancer here)', () => {
    expect(waiting.output).toMatch(/^skipped +public .*not checked \(--public-wait 0\)/m);
  });
});
