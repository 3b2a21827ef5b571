import { describe, expect, it } from 'vitest';
import { environmentNames, render, type K8sObject } from './chart.js';

/** Every pod spec the chart renders: Deployments' templates and bare Pods (the helm test hook). */
function podSpecs(objects: K8sObject[]): { owner: string; spec: K8sObject['spec'] }[] {
  return objects.flatMap((o) => {
    if (o.kind === 'Deployment')
      return [{ owner: `Deployment/${o.metadata.name}`, spec: o.spec.template.spec }];
    if (o.kind === 'Pod') return [{ owner: `Pod/${o.metadata.name}`, spec: o.spec }];
    return [];
  });
}

describe.each(environmentNames)('the restricted Pod Security profile in %s', (environment) => {
  const specs = podSpecs(render(environment, ['--set', 'monitoring.podMonitoring=true']));

  it('covers three pod specs (API, Varnish, helm test)', () => {
    expect(specs.map((s) => s.owner).sort()).toEqual([
      'Deployment/maps-api-api',
      'Deployment/maps-api-varnish',
      'Pod/maps-api-test-cache',
    ]);
  });

  it('holds for every container: non-root with uid/gid >= 10000, no escalation, no capabilities, read-only root, RuntimeDefault seccomp', () => {
    for (const { owner, spec } of specs) {
      expect(spec.securityContext.runAsNonRoot, owner).toBe(true);
      // High ids (>= 10000) collide with no host user; the images create exactly these (images/*-image.test.ts).
      for (const id of ['runAsUser', 'runAsGroup', 'fsGroup'] as const)
        expect(spec.securityContext[id], `${owner} ${id}`).toBeGreaterThanOrEqual(10000);
      expect(spec.securityContext.seccompProfile, owner).toEqual({ type: 'RuntimeDefault' });
      expect(spec.hostNetwork ?? false, owner).toBe(false);
      expect(spec.hostPID ?? false, owner).toBe(false);
      expect(spec.automountServiceAccountToken, owner).toBe(false);
      for (const volume of spec.volumes ?? [])
        expect(volume.hostPath, `${owner} ${volume.name}`).toBeUndefined();
      const containers = [...spec.containers, ...(spec.initContainers ?? [])];
      expect(containers.length).toBeGreaterThan(0);
      for (const container of containers) {
        const where = `${owner}/${container.name}`;
        expect(container.securityContext, where).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(
          container.ports?.every((p: { containerPort: number }) => p.containerPort >= 1024) ?? true,
        ).toBe(true);
      }
    }
  });
});
