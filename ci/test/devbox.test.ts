/** devbox.json: valid against the stored schema (see its $comment for where it comes from) and pinned to our versions. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/workflows.ts';

type Devbox = {
  packages: Record<string, { version?: string }>;
  shell: { scripts: Record<string, string | string[]> };
};
const devbox = JSON.parse(readFileSync(join(repoRoot, 'devbox.json'), 'utf8')) as Devbox;
const schema = JSON.parse(
  readFileSync(join(repoRoot, 'ci/test/fixtures/devbox.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(schema);
const versions = Object.fromEntries(
  readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8')
    .split('\n')
    .filter((l) => /^\w+=/.test(l))
    .map((l) => l.split('=') as [string, string]),
);
const version = (pkg: string) => devbox.packages[pkg]?.version ?? '';

describe('devbox.json', () => {
  it('is valid against the stored devbox schema', () => {
    const ok = validate(devbox);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is rejected by that schema when a package is unpinned, a key is unknown or a script is empty', () => {
    const broken = [
      { ...devbox, packages: { ...devbox.packages, jq: { version: 'latest' } } },
      { ...devbox, package: [] },
      { ...devbox, shell: { scripts: { up: [] } } },
    ];
    for (const config of broken) expect(validate(config)).toBe(false);
  });

  it('pins every tool the issue lists', () => {
    for (const pkg of [
      'nodejs',
      'kubernetes-helm',
      'terraform',
      'kubectl',
      'google-cloud-sdk',
      'dagger',
      'varnish',
      'trivy',
      'actionlint',
      'jq',
      'python313',
    ]) {
      expect(version(pkg), pkg).toMatch(/^\d+(\.\d+)+$/);
    }
    expect(
      Object.keys(devbox.packages).some((p) =>
        p.endsWith('#google-cloud-sdk.components.gke-gcloud-auth-plugin'),
      ),
    ).toBe(true);
  });

  it('uses the versions the pipeline and the tests use', () => {
    const daggerJson = JSON.parse(readFileSync(join(repoRoot, 'dagger.json'), 'utf8')) as {
      engineVersion: string;
    };
    expect(version('nodejs')).toMatch(/^22\./);
    expect(`v${version('dagger')}`).toBe(daggerJson.engineVersion);
    expect(`v${version('kubernetes-helm')}`).toBe(versions.HELM_VERSION);
    expect(`v${version('terraform')}`).toBe(versions.TERRAFORM_VERSION);
    expect(`v${version('actionlint')}`).toBe(versions.ACTIONLINT_VERSION);
    const [major, minor] = version('python313').split('.').map(Number);
    expect((major ?? 0) * 100 + (minor ?? 0)).toBeGreaterThanOrEqual(313);
  });

  it('runs the same commands as the repo: start, test (the README quickstart, tools/dev.test.ts) and lint', () => {
    expect(devbox.shell.scripts.start).toBe('./dev start');
    expect(devbox.shell.scripts.test).toBe('./dev test');
    expect([devbox.shell.scripts.lint].flat()).toContain('npm run lint');
  });
});
