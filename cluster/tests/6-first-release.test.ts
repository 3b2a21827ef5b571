// A first release that fails after helm succeeded (here: the smoke test asks for a tileset that does not exist) is
// uninstalled, not rolled back to a revision 0 that does not exist, and the error reported is the smoke's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, sh } from '../lib/kube.js';
import { core, images, runDeploy, type DeployRun } from './support.js';

const namespace = 'maps-api-first-release';
let run: DeployRun;

beforeAll(async () => {
  run = await runDeploy(
    'dev',
    images().api,
    ['--timeout', '5m', '--smoke-tileset', 'maps-api-dev.maps_replica.no_such_table'],
    namespace,
  );
});
afterAll(() => kubectl('delete', 'namespace', namespace, '--wait=false', '--ignore-not-found'));

describe('a first release that fails its smoke test', () => {
  it('exits non-zero with the original error first', () => {
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(
      /failed: smoke failed: \/maps\/tileset\/maps-api-dev\.maps_replica\.no_such_table/,
    );
  });

  it('is uninstalled: no release and no pods remain', async () => {
    expect(run.output).toContain('rollback: first release: uninstalled');
    expect(run.output).not.toMatch(/rollback failed/);
    const releases = JSON.parse(await sh('helm', ['list', '-n', namespace, '-a', '-o', 'json'])) as unknown[];
    expect(releases).toEqual([]);
    const pods = await core.listNamespacedPod({ namespace });
    expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp)).toEqual([]);
  });

  it('created the namespace with the restricted Pod Security labels', async () => {
    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
