// After the rehearsal's three deploys: every namespace enforces Pod Security `restricted`, admitted every pod of the
// release, and runs 5 ready API pods and 1 ready Varnish pod whose probes pass; the NetworkPolicies were accepted, the
// API's with the one egress rule manifests/rehearsal-bigquery-egress.yaml adds for the in-cluster BigQuery stand-in.
import { NetworkingV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rehearsal } from '../lib/kube.js';
import { core, images, isReady, kubeConfig, podsOf } from './support.js';

describe.each(rehearsal.environments)('the %s namespace', (env) => {
  const namespace = rehearsal.namespaceOf(env);

  it('enforces the restricted Pod Security profile', async () => {
    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('refuses a pod that breaks the restricted profile', async () => {
    const error = await core
      .createNamespacedPod({
        namespace,
        dryRun: 'All',
        body: {
          metadata: { name: 'privileged-probe' },
          spec: {
            containers: [{ name: 'c', image: images().varnish, securityContext: { privileged: true } }],
          },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number; body?: string },
      );
    expect(error?.code).toBe(403);
    expect(String(error?.body)).toMatch(/violates PodSecurity \\?"restricted:latest\\?": privileged/);
  });

  it('runs 5 ready API pods and 1 ready Varnish pod of the same digests, none restarted', async () => {
    const api = await podsOf(namespace, 'api');
    const varnish = await podsOf(namespace, 'varnish');
    expect(api.filter(isReady)).toHaveLength(5);
    expect(varnish.filter(isReady)).toHaveLength(1);
    for (const pod of [...api, ...varnish]) {
      for (const status of pod.status?.containerStatuses ?? []) {
        expect(status.ready, `${pod.metadata?.name}/${status.name}`).toBe(true);
        expect(status.restartCount, `${pod.metadata?.name}/${status.name} restarts`).toBe(0);
      }
    }
    const digestOf = (ref: string) => ref.slice(ref.indexOf('@') + 1);
    for (const pod of api)
      expect(pod.status?.containerStatuses?.[0]?.imageID).toContain(digestOf(images().api));
    for (const pod of varnish) {
      expect(pod.status?.containerStatuses?.[0]?.imageID).toContain(digestOf(images().varnish));
    }
  });

  it('accepted the release NetworkPolicies (stored; enforced on kind, not by the bridge CNI)', async () => {
    const policies = await kubeConfig
      .makeApiClient(NetworkingV1Api)
      .listNamespacedNetworkPolicy({ namespace });
    expect(policies.items.map((p) => p.metadata?.name)).toEqual(
      expect.arrayContaining(['maps-api-api', 'maps-api-varnish']),
    );
  });

  it("lets the API pods reach the BigQuery stand-in by the rehearsal's one added egress rule", async () => {
    const networking = kubeConfig.makeApiClient(NetworkingV1Api);
    const api = await networking.readNamespacedNetworkPolicy({ name: 'maps-api-api', namespace });
    const toStandIn = (api.spec?.egress ?? []).filter((rule) =>
      rule.to?.some(
        (peer) =>
          peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ===
          rehearsal.emulatorNamespace,
      ),
    );
    expect(toStandIn).toEqual([
      {
        to: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': rehearsal.emulatorNamespace },
            },
          },
        ],
        ports: [{ port: rehearsal.emulatorPort, protocol: 'TCP' }],
      },
    ]);
    const varnish = await networking.readNamespacedNetworkPolicy({ name: 'maps-api-varnish', namespace });
    expect(JSON.stringify(varnish.spec?.egress)).not.toContain(rehearsal.emulatorNamespace);
  });
});
