import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// bootstrap.sh runs the real bash with stand-ins for gcloud, gh and terraform on PATH (each records its calls), so the
// script's decisions are observable without a Google account: which commands it runs, in which order, with what.

const bootstrapDir = dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Gcloud = {
  loggedIn: boolean;
  adc: boolean;
  bucket: 'exists' | 'missing' | 'denied';
  /** terraform/shared already has state (the registry was created by an earlier run). */
  sharedState?: boolean;
  /** What `gcloud projects describe` says of a project (default: ACTIVE). */
  project?: (id: string) => 'ACTIVE' | 'DELETE_REQUESTED' | 'denied';
};

function runBootstrap(
  gcloud: Gcloud,
  env: Record<string, string> = { GITHUB_REPOSITORY: 'acme/maps-api' },
  tfvars = readFileSync(join(bootstrapDir, 'terraform.tfvars'), 'utf8'),
) {
  const dir = mkdtempSync(join(tmpdir(), 'maps-bootstrap-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  const root = join(dir, 'bootstrap');
  mkdirSync(bin);
  mkdirSync(root);
  copyFileSync(join(bootstrapDir, 'bootstrap.sh'), join(root, 'bootstrap.sh'));
  writeFileSync(join(root, 'terraform.tfvars'), tfvars);
  const projectAnswers = [...tfvars.matchAll(/"([a-z][a-z0-9-]+)"/g)].map((m) => m[1]!);
  const describe = (id: string) =>
    ({
      ACTIVE: 'echo ACTIVE',
      DELETE_REQUESTED: 'echo DELETE_REQUESTED',
      denied: `echo "ERROR: (gcloud.projects.describe) [me@acme.org] does not have permission to access projects instance [${id}] (or it may not exist)" >&2; exit 1`,
    })[gcloud.project?.(id) ?? 'ACTIVE'];
  const log = join(dir, 'calls.log');
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  tool(
    'gcloud',
    `case "$*" in
  "auth print-access-token") ${gcloud.loggedIn ? 'echo token' : 'echo "ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected." >&2; exit 1'} ;;
  "auth application-default print-access-token") ${gcloud.adc ? 'echo token' : 'exit 1'} ;;
${projectAnswers.map((id) => `  "projects describe ${id} --format=value(lifecycleState)") ${describe(id)} ;;`).join('\n')}
  "storage buckets describe"*) ${
    {
      exists: 'echo maps-api-tfstate',
      missing:
        'echo "ERROR: (gcloud.storage.buckets.describe) gs://maps-api-tfstate not found: 404." >&2; exit 1',
      denied:
        'echo "ERROR: (gcloud.storage.buckets.describe) HTTPError 403: caller does not have storage.buckets.get access" >&2; exit 1',
    }[gcloud.bucket]
  } ;;
esac
exit 0`,
  );
  tool('gh', 'echo "123456789 987654"');
  tool(
    'terraform',
    `echo "TF_VAR_github=$TF_VAR_github" >> ${log}
[ "$*" = "-chdir=../shared state list" ] && ${gcloud.sharedState ? 'echo module.registry.google_artifact_registry_repository.this' : 'true'}
exit 0`,
  );
  const result = spawnSync('bash', [join(root, 'bootstrap.sh')], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir, ...env },
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return {
    code: result.status,
    stderr: result.stderr,
    calls,
    terraformCalls: calls.filter((c) => c.startsWith('terraform ')),
  };
}

/** The registry root, applied right after bootstrap while it has no state (the first publish needs it). */
const SHARED_FIRST_TIME = [
  'terraform -chdir=../shared init -input=false',
  'terraform -chdir=../shared state list',
  'terraform -chdir=../shared apply -input=false',
];

describe('terraform/bootstrap/bootstrap.sh', () => {
  it('stops when gcloud is not logged in, instead of taking it for "no state bucket yet"', () => {
    const run = runBootstrap({ loggedIn: false, adc: true, bucket: 'missing' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('not logged in');
    expect(run.terraformCalls).toEqual([]);
  });

  it('stops without application-default credentials (the provider uses them, with a quota project)', () => {
    const run = runBootstrap({ loggedIn: true, adc: false, bucket: 'missing' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('application-default');
    expect(run.terraformCalls).toEqual([]);
  });

  it('stops when it cannot tell whether the bucket exists (403), rather than creating state locally', () => {
    const run = runBootstrap({ loggedIn: true, adc: true, bucket: 'denied' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('403');
    expect(run.terraformCalls).toEqual([]);
  });

  it('refuses to run without naming the repository whose workflows it trusts', () => {
    const run = runBootstrap({ loggedIn: true, adc: true, bucket: 'missing' }, {});
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('GITHUB_REPOSITORY');
    expect(run.terraformCalls).toEqual([]);
  });

  it('first run: sets the ADC quota project, enables the bootstrap APIs, applies locally, migrates state, then creates the registry', () => {
    const run = runBootstrap({ loggedIn: true, adc: true, bucket: 'missing' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.calls).toContain('gcloud auth application-default set-quota-project maps-api-production');
    for (const project of ['maps-api-dev', 'maps-api-staging', 'maps-api-production']) {
      expect(run.calls).toContain(
        `gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project ${project}`,
      );
    }
    expect(run.terraformCalls).toEqual([
      'terraform init -input=false -reconfigure',
      'terraform apply -input=false',
      'terraform init -input=false -migrate-state -force-copy',
      ...SHARED_FIRST_TIME,
    ]);
    expect(run.calls).toContain(
      'TF_VAR_github={repository="acme/maps-api", repository_id="123456789", repository_owner_id="987654"}',
    );
  });

  it('accepts any project ids terraform.tfvars names (not only maps-api-*), and checks each before changing anything', () => {
    const tfvars = [
      'environment_projects = {',
      '  dev        = "acme-geo-dev"',
      '  staging    = "geo-staging-2"',
      '  production = "prod-maps"',
      '}',
      'state_project  = "prod-maps"',
      'state_bucket   = "acme-tfstate"',
      '',
    ].join('\n');
    const run = runBootstrap({ loggedIn: true, adc: true, bucket: 'missing' }, undefined, tfvars);
    expect(run.code, run.stderr).toBe(0);
    for (const project of ['acme-geo-dev', 'geo-staging-2', 'prod-maps']) {
      expect(run.calls).toContain(`gcloud projects describe ${project} --format=value(lifecycleState)`);
      expect(run.calls).toContain(
        `gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project ${project}`,
      );
    }
    expect(run.calls).toContain('gcloud auth application-default set-quota-project prod-maps');
  });

  it('stops on a project it cannot use (no access, being deleted) or an id Google would refuse, before any change', () => {
    const denied = runBootstrap({
      loggedIn: true,
      adc: true,
      bucket: 'missing',
      project: (id) => (id === 'maps-api-staging' ? 'denied' : 'ACTIVE'),
    });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/cannot use project maps-api-staging: .*does not have permission/);
    const deleting = runBootstrap({
      loggedIn: true,
      adc: true,
      bucket: 'missing',
      project: (id) => (id === 'maps-api-dev' ? 'DELETE_REQUESTED' : 'ACTIVE'),
    });
    expect(deleting.stderr).toContain('project maps-api-dev is DELETE_REQUESTED, not ACTIVE');
    const invalid = runBootstrap(
      { loggedIn: true, adc: true, bucket: 'missing' },
      undefined,
      readFileSync(join(bootstrapDir, 'terraform.tfvars'), 'utf8').replace(
        '"maps-api-dev"',
        '"Maps_API_dev"',
      ),
    );
    expect(invalid.stderr).toContain("'Maps_API_dev' (terraform.tfvars) is not a valid project id");
    for (const run of [denied, deleting, invalid]) {
      expect(run.terraformCalls).toEqual([]);
      expect(run.calls.filter((c) => c.startsWith('gcloud services enable'))).toEqual([]);
    }
  });

  it('later runs: plain init and apply against the existing bucket; the registry is left to CI once it has state', () => {
    const run = runBootstrap({ loggedIn: true, adc: true, bucket: 'exists', sharedState: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.terraformCalls).toEqual([
      'terraform init -input=false',
      'terraform apply -input=false',
      'terraform -chdir=../shared init -input=false',
      'terraform -chdir=../shared state list',
    ]);
    const again = runBootstrap({ loggedIn: true, adc: true, bucket: 'exists' });
    expect(again.terraformCalls.slice(2)).toEqual(SHARED_FIRST_TIME);
  });
});
