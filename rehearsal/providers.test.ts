// One rehearsal program, two cluster providers: the provider is chosen explicitly, and the program (rehearsal/lib/kube.ts)
// and the providers' scripts (rehearsal/lib.sh) agree on where each cluster's kubeconfig and registry are.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { providers, rehearsal, repoRoot, toolsDir } from './lib/kube.js';

function shellSettings(...names: string[]): Record<string, string> {
  const script = `source rehearsal/lib.sh; ${names.map((n) => `echo "${n}=$${n}"`).join('; ')}`;
  const result = spawnSync('bash', ['-c', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, MAPS_TOOLS_DIR: toolsDir },
  });
  return Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

function rehearse(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'rehearsal/rehearse.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, REHEARSAL_PROVIDER: '', ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the rehearsal cluster providers', () => {
  it('are kind and source, and rehearsal/lib.sh agrees on their kubeconfig and registry', () => {
    const shell = shellSettings('CLUSTER_KUBECONFIG', 'CLUSTER_REGISTRY', 'KIND_KUBECONFIG', 'KIND_REGISTRY');
    expect(Object.keys(providers).sort()).toEqual(['kind', 'source']);
    expect(providers.source).toMatchObject({
      kubeconfig: shell.CLUSTER_KUBECONFIG,
      registry: shell.CLUSTER_REGISTRY,
    });
    expect(providers.kind).toMatchObject({
      kubeconfig: shell.KIND_KUBECONFIG,
      registry: shell.KIND_REGISTRY,
    });
    for (const p of Object.values(providers)) {
      expect(spawnSync('bash', ['-n', p.up]).status, p.up).toBe(0);
      expect(spawnSync('bash', ['-n', p.down]).status, p.down).toBe(0);
    }
  });

  it('must be chosen: without --provider or REHEARSAL_PROVIDER the rehearsal exits 2 naming both', () => {
    const none = rehearse([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--provider must be one of kind, source, got ''");
    const wrong = rehearse(['--provider', 'minikube']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--provider must be one of kind, source, got 'minikube'");
  });

  it('is chosen by .ci/run (source: no image can be pulled here) and by the workflows (kind)', () => {
    expect(readFileSync(join(repoRoot, '.ci/run'), 'utf8')).toMatch(
      /^npm run rehearse -- --provider source$/m,
    );
    for (const file of ['pr.yml', 'main.yml']) {
      const workflow = parse(readFileSync(join(repoRoot, '.github/workflows', file), 'utf8')) as {
        jobs: Record<string, { steps: { run?: string }[] }>;
      };
      const runs = workflow.jobs.rehearse?.steps.flatMap((s) => (s.run ? [s.run] : [])) ?? [];
      expect(runs.at(-1), file).toBe('npm run rehearse -- --provider kind');
    }
  });
});

describe('manifests/rehearsal-bigquery-egress.yaml', () => {
  it('opens the API pods exactly to the BigQuery stand-in the rehearsal runs', () => {
    const text = readFileSync(join(repoRoot, 'rehearsal/manifests/rehearsal-bigquery-egress.yaml'), 'utf8');
    const namespaces = new Set(text.match(/maps-rehearsal-[a-z]+/g));
    expect([...namespaces]).toEqual([rehearsal.emulatorNamespace]);
    expect(text).toContain(`port: ${rehearsal.emulatorPort}, protocol: "TCP"`);
  });
});
