// The rehearsal overlay changes nothing but where BigQuery is: every environment rendered with and without it differs
// only by BIGQUERY_EMULATOR_HOST on the API container, and that address is the rehearsal's emulator Service.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentNames, render, type K8sObject } from '../charts/maps-api/tests/chart.js';
import { rehearsal, repoRoot } from './lib/kube.js';

const overlay = join(repoRoot, 'rehearsal', 'rehearsal-values.yaml');
const EMULATOR_HOST = 'BIGQUERY_EMULATOR_HOST';

function withoutEmulatorHost(objects: K8sObject[]): K8sObject[] {
  const copy = structuredClone(objects);
  for (const o of copy.filter((o) => o.kind === 'Deployment')) {
    for (const c of o.spec.template.spec.containers) {
      c.env = c.env?.filter((e: { name: string }) => e.name !== EMULATOR_HOST);
    }
  }
  return copy;
}

function emulatorHosts(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => o.spec.template.spec.containers)
    .flatMap((c) => c.env ?? [])
    .filter((e: { name: string }) => e.name === EMULATOR_HOST)
    .map((e: { value: string }) => e.value);
}

describe.each(environmentNames)('the rehearsal overlay in %s', (env) => {
  const plain = render(env);
  const rehearsed = render(env, ['--values', overlay]);

  it('renders no emulator address without the overlay', () => {
    expect(emulatorHosts(plain)).toEqual([]);
  });

  it('points only the API at the in-cluster emulator Service', () => {
    const { emulatorService, emulatorNamespace, emulatorPort } = rehearsal;
    expect(emulatorHosts(rehearsed)).toEqual([
      `http://${emulatorService}.${emulatorNamespace}.svc.cluster.local:${emulatorPort}/bigquery/v2`,
    ]);
  });

  it('changes nothing else in any rendered object', () => {
    expect(withoutEmulatorHost(rehearsed)).toEqual(plain);
  });
});
