// The API PodDisruptionBudget holds on a real cluster: two evictions at once through the Eviction API, one is
// granted and the other refused (429); the Deployment then returns to 5 ready pods.
import { describe, expect, it } from 'vitest';
import { rehearsal } from '../lib/kube.js';
import { apiDeployment, core, deploymentReady, isReady, podsOf, policy, waitFor } from './support.js';

const namespace = rehearsal.namespaceOf('production');

describe('the API PodDisruptionBudget', () => {
  it('grants one of two simultaneous evictions and refuses the other', async () => {
    await waitFor('PDB allows one disruption', 60, async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({ name: apiDeployment, namespace });
      return pdb.status?.disruptionsAllowed === 1;
    });
    const [first, second] = (await podsOf(namespace, 'api')).filter(isReady).map((p) => p.metadata!.name!);
    const evict = (name: string) =>
      core
        .createNamespacedPodEviction({
          name,
          namespace,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
        })
        .then(
          () => 201,
          (error: { code?: number }) => error.code ?? 0,
        );
    const codes = await Promise.all([evict(first!), evict(second!)]);
    expect([...codes].sort()).toEqual([201, 429]);
    const evicted = codes[0] === 201 ? first! : second!;

    const seconds = await waitFor('5 ready API pods again, the evicted one replaced', 180, async () => {
      const ready = (await podsOf(namespace, 'api')).filter(
        (p) => isReady(p) && !p.metadata?.deletionTimestamp,
      );
      return (
        ready.length === 5 &&
        !ready.some((p) => p.metadata?.name === evicted) &&
        (await deploymentReady(namespace, apiDeployment, 5))
      );
    });
    console.log(`API back to 5 ready pods ${seconds.toFixed(0)}s after the eviction`);
  });
});
