import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type K8sObject,
  apiName,
  chartDir,
  environmentNames,
  environmentsFile,
  find,
  helmLintArgs,
  helmTemplateArgs,
  render,
  run,
  testHost,
  varnishName,
} from './chart.js';

const apiEnv = (objects: K8sObject[]): Record<string, string> =>
  Object.fromEntries(
    (
      find(objects, 'Deployment', apiName).spec.template.spec.containers[0].env as {
        name: string;
        value: string;
      }[]
    ).map((e) => [e.name, e.value]),
  );
/** SERVED_TABLES as the API parses it: public id -> the table read for it. */
const servedOf = (env: Record<string, string>) =>
  new Map(
    (env.SERVED_TABLES ?? '').split(',').map((entry) => {
      const [publicId, backing = publicId] = entry.split('=') as [string, string?];
      return [publicId, backing];
    }),
  );

describe('the chart and environments.json', () => {
  it('has a values file for exactly the environments of environments.json', () => {
    const valuesFiles = readdirSync(chartDir)
      .map((f) => /^values-(.+)\.yaml$/.exec(f)?.[1])
      .filter((e): e is string => e !== undefined)
      .sort();
    expect(valuesFiles).toEqual([...environmentNames].sort());
    expect(environmentNames.sort()).toEqual(['dev', 'production', 'staging']);
  });

  it.each(environmentNames)('passes helm lint --strict for %s', (environment) => {
    expect(existsSync(join(chartDir, `values-${environment}.yaml`))).toBe(true);
    const result = run('helm', helmLintArgs(environment));
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it.each(environmentNames)(
    'renders %s with the project and namespace of environments.json, and the host it is given',
    (environment) => {
      const expected = environmentsFile.environments[environment]!;
      const objects = render(environment);
      for (const object of objects) {
        // GlobalRules is cluster-scoped (GKE Managed Prometheus): it has no namespace.
        const namespace = object.kind === 'GlobalRules' ? undefined : expected.namespace;
        expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(namespace);
      }
      const deployment = find(objects, 'Deployment', apiName);
      const env = deployment.spec.template.spec.containers[0].env as { name: string; value: string }[];
      expect(env.find((e) => e.name === 'GOOGLE_CLOUD_PROJECT')?.value).toBe(expected.gcpProject);
      const ingress = find(objects, 'Ingress', 'maps-api');
      expect(ingress.spec.rules.map((r: { host: string }) => r.host)).toEqual([testHost(environment)]);
      expect(find(objects, 'Service', varnishName).spec.type).toBe('ClusterIP');
    },
  );

  it('renders no Ingress without a host (no values file carries one: the deploy passes --host)', () => {
    for (const environment of environmentNames) {
      const objects = render(environment, ['--set', 'ingress.host=']);
      expect(
        objects.filter((o) => o.kind === 'Ingress'),
        environment,
      ).toEqual([]);
    }
  });

  it('refuses to install into a namespace other than the environment one', () => {
    const args = helmTemplateArgs('dev');
    args[args.indexOf('--namespace') + 1] = 'default';
    const result = run('helm', args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('release namespace "default" differs from values namespace "maps-api"');
  });

  it.each(environmentNames)('serves in %s the table its helm test tile comes from', (environment) => {
    const objects = render(environment);
    const testPod = find(objects, 'Pod', 'maps-api-test-cache');
    const id = /\/maps\/tileset\/([^/]+)\//.exec(testPod.spec.containers[0].args[0])?.[1];
    expect(id).toBe(environmentsFile.replica.source);
    expect(servedOf(apiEnv(objects)).has(id!)).toBe(true);
  });

  it.each(environmentNames)(
    "serves the public id of the replica source from %s's replica (environments.json replica + gcpProject)",
    (environment) => {
      const { replica, environments } = environmentsFile;
      const served = servedOf(apiEnv(render(environment)));
      expect(served.get(replica.source)).toBe(
        `${environments[environment]!.gcpProject}.${replica.dataset}.${replica.table}`,
      );
    },
  );

  it.each(['staging', 'production'])('never reads the unstable replica source in %s', (environment) => {
    const read = [...servedOf(apiEnv(render(environment))).values()];
    expect(read).not.toContain(environmentsFile.replica.source);
  });

  it('pulls images from the registry of environments.json', () => {
    const registry = (
      JSON.parse(readFileSync(join(chartDir, '..', '..', 'environments.json'), 'utf8')) as {
        registry: { gcpProject: string; location: string; repository: string };
      }
    ).registry;
    const prefix = `${registry.location}-docker.pkg.dev/${registry.gcpProject}/${registry.repository}/`;
    const images = render('production')
      .flatMap((o) => o.spec?.template?.spec?.containers ?? o.spec?.containers ?? [])
      .map((c: { image: string }) => c.image);
    expect(images.length).toBe(4);
    for (const image of images) expect(image.startsWith(prefix), image).toBe(true);
  });

  it('packages the chart with its VCL and rule files but without the test suites', () => {
    const out = mkdtempSync(join(tmpdir(), 'maps-api-package-'));
    const packaged = run('helm', ['package', chartDir, '--destination', out]);
    expect(packaged.status, packaged.stderr).toBe(0);
    const listing = run('tar', ['tzf', join(out, 'maps-api-0.1.0.tgz')]).stdout.split('\n');
    expect(listing).toContain('maps-api/files/vcl/policy.vcl');
    expect(listing).toContain('maps-api/templates/tests/cache-miss-then-hit.yaml');
    expect(listing).toContain('maps-api/files/tests/cache-miss-then-hit.vtc');
    expect(listing).toContain('maps-api/files/monitoring/replica.yaml');
    expect(listing).not.toContain('maps-api/files/monitoring/README.md');
    expect(listing.filter((f) => f.startsWith('maps-api/tests/') || f.endsWith('.ts'))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('maps-api/files/vcl/') && !f.endsWith('.vcl'))).toEqual([]);
  });
});
