/** Ephemeral storage: every container requests and limits it, every emptyDir has a sizeLimit that fits what it holds. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@maps-api/emulator';
import { afterAll, describe, expect, it } from 'vitest';
import { startVarnish } from '../../../local-varnish/varnish.js';
import {
  type K8sObject,
  environmentNames,
  find,
  helmTemplateArgs,
  render,
  run,
  varnishName,
} from './chart.js';

const UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };
/** A binary byte quantity (Ki/Mi/Gi) in MiB. */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`not a binary quantity: ${quantity}`);
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? NaN);
}

type Container = {
  name: string;
  args?: string[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
};
type Volume = { name: string; emptyDir?: { medium?: string; sizeLimit?: string } };
type PodSpec = { containers: Container[]; volumes?: Volume[] };

function podSpecs(objects: K8sObject[]): { owner: string; spec: PodSpec }[] {
  return objects.flatMap((o) => {
    if (o.kind === 'Pod') return [{ owner: `Pod/${o.metadata.name}`, spec: o.spec as PodSpec }];
    if (o.spec?.template?.spec?.containers)
      return [{ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec as PodSpec }];
    return [];
  });
}

describe.each(environmentNames)('ephemeral storage in %s', (environment) => {
  const pods = podSpecs(render(environment));

  it('renders the API (no volume: read-only root, logs only), Varnish and helm test pods', () => {
    expect(pods.map((p) => p.owner).sort()).toEqual(
      ['Deployment/maps-api-api', `Deployment/${varnishName}`, 'Pod/maps-api-test-cache'].sort(),
    );
  });

  it('requests and limits ephemeral-storage on every container, the limit at least the request', () => {
    for (const { owner, spec } of pods) {
      for (const container of spec.containers) {
        const request = container.resources.requests['ephemeral-storage'];
        const limit = container.resources.limits['ephemeral-storage'];
        expect({ owner, container: container.name, request: typeof request, limit: typeof limit }).toEqual({
          owner,
          container: container.name,
          request: 'string',
          limit: 'string',
        });
        expect(mebibytes(limit ?? '')).toBeGreaterThanOrEqual(mebibytes(request ?? ''));
      }
    }
  });

  it("gives every emptyDir a sizeLimit, and the disk-backed ones fit in the pod's ephemeral-storage limits", () => {
    for (const { owner, spec } of pods) {
      const emptyDirs = (spec.volumes ?? []).filter((v) => v.emptyDir);
      for (const volume of emptyDirs)
        expect(volume.emptyDir?.sizeLimit, `${owner} ${volume.name}`).toMatch(/^\d+(Ki|Mi|Gi)$/);
      // The kubelet evicts a pod whose emptyDirs + logs exceed the sum of its containers' limits (memory-backed
      // emptyDirs count as memory instead), so the disk-backed sizeLimits must leave room for the logs.
      const onDisk = emptyDirs
        .filter((v) => v.emptyDir?.medium !== 'Memory')
        .reduce((sum, v) => sum + mebibytes(v.emptyDir?.sizeLimit ?? ''), 0);
      const limits = spec.containers.reduce(
        (sum, c) => sum + mebibytes(c.resources.limits['ephemeral-storage'] ?? ''),
        0,
      );
      expect(onDisk, owner).toBeLessThan(limits);
    }
  });
});

describe('the values schema', () => {
  it.each([
    'api.resources.requests.ephemeral-storage',
    'api.resources.limits.ephemeral-storage',
    'varnish.exporter.resources.limits.ephemeral-storage',
    'tests.resources.requests.ephemeral-storage',
    'varnish.tmpSizeLimit',
  ])('refuses a render without %s', (key) => {
    const result = run('helm', helmTemplateArgs('production', ['--set', `${key}=null`]));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/schema/i);
  });

  it('refuses a working directory that does not fit in the memory overhead it is charged to', () => {
    const result = run('helm', helmTemplateArgs('dev', ['--set', 'varnish.vslSpaceMi=200']));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('must fit in storage.overheadMi');
  });
});

describe("Varnish's memory-backed working directory", { tags: ['needs-docker'] }, () => {
  const deployment = find(render('production'), 'Deployment', varnishName);
  const spec = deployment.spec.template.spec as PodSpec;
  const args = spec.containers[0]?.args ?? [];
  const vsl = args[args.indexOf('-l') + 1] ?? '';
  const sizeLimit = spec.volumes?.find((v) => v.name === 'workdir')?.emptyDir?.sizeLimit ?? '';
  let workDir = '';
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('holds what a real varnishd writes there with the rendered -l (the shared-memory log and the compiled VCL)', async () => {
    expect(vsl).toMatch(/^\d+m$/);
    workDir = await mkdtemp(join(tmpdir(), 'chart-varnish-workdir-'));
    const varnish = await startVarnish({
      backends: [{ host: '127.0.0.1', port: await freePort() }],
      listenPort: await freePort(),
      mallocMb: 16,
      transientMb: 8,
      workDir: join(workDir, 'n'),
      params: { vsl_space: vsl.toUpperCase() },
    });
    try {
      await fetch(`${varnish.url}/`).catch(() => undefined);
      const { stdout } = await promisify(execFile)('du', ['-sk', join(workDir, 'n')]);
      const usedMi = Number(stdout.split('\t')[0]) / 1024;
      expect(usedMi).toBeGreaterThanOrEqual(Number.parseInt(vsl, 10));
      expect(usedMi).toBeLessThanOrEqual(mebibytes(sizeLimit));
    } finally {
      await varnish.stop();
    }
  });
});
