import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsDir } from '@maps-api/emulator';

// Everything here runs the real Terraform CLI with the real hashicorp/google provider (from the local filesystem mirror
// built by tools/install.d/40-terraform.sh) and the real checkov. A missing tool fails the suite; nothing is skipped.

const terraformDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(terraformDir);
const versions = Object.fromEntries(
  readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]),
);
const cliConfig = join(toolsDir(), 'terraform/cli.tfrc');
const providerVersion = versions.TF_GOOGLE_PROVIDER_VERSION ?? '';
const providerBinary = join(
  toolsDir(),
  'terraform/mirror/registry.terraform.io/hashicorp/google',
  providerVersion,
  'linux_amd64',
  `terraform-provider-google_v${providerVersion}`,
);

const environments = ['dev', 'staging', 'production'] as const;
const roots = [...environments.map((env) => `envs/${env}`), 'shared', 'bootstrap'];
const modules = readdirSync(join(terraformDir, 'modules')).map((name) => `modules/${name}`);
const installHint = 'run `tools/install.sh 40-terraform 41-checkov`';

let work = '';

function run(command: string, args: string[], cwd: string, timeoutMs = 120_000) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024, // checkov's JSON carries every resource's code
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_PLUGIN_CACHE_DIR: join(work, '.plugin-cache'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      NO_COLOR: '1',
    },
  });
  if (result.error) {
    throw new Error(`${command} ${args.join(' ')} in ${cwd}: ${result.error.message} (${installHint})`);
  }
  return { code: result.status ?? -1, stdout: result.stdout, out: `${result.stdout}${result.stderr}` };
}

function terraform(dir: string, ...args: string[]) {
  return run('terraform', [...args, '-no-color'], join(work, dir));
}

function runBlocks(dir: string): number {
  const testsDir = join(terraformDir, dir, 'tests');
  if (!existsSync(testsDir)) return 0;
  return readdirSync(testsDir)
    .filter((file) => file.endsWith('.tftest.hcl'))
    .map((file) => readFileSync(join(testsDir, file), 'utf8').match(/^run "/gm)?.length ?? 0)
    .reduce((a, b) => a + b, 0);
}

function backendSetting(env: string, name: 'bucket' | 'prefix'): string {
  const backend = readFileSync(join(terraformDir, 'envs', env, 'backend.tf'), 'utf8');
  const value = new RegExp(`^\\s*${name}\\s*=\\s*"([^"]+)"`, 'm').exec(backend)?.[1];
  if (!value) throw new Error(`envs/${env}/backend.tf sets no ${name}`);
  return value;
}

// Set up once; a failure is kept and rethrown by every test, so a missing tool fails each of them (none is skipped).
let setupError: Error | undefined;
function ready() {
  if (setupError) throw setupError;
}

function setUp() {
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (version.error) throw new Error(`terraform CLI not found on PATH: ${installHint}`);
  const wanted = `Terraform ${versions.TERRAFORM_VERSION}`;
  if (!version.stdout.startsWith(wanted)) {
    throw new Error(`terraform is "${version.stdout.split('\n')[0]}", expected ${wanted}: ${installHint}`);
  }
  if (!existsSync(cliConfig) || !existsSync(providerBinary)) {
    throw new Error(`hashicorp/google ${providerVersion} mirror missing (${providerBinary}): ${installHint}`);
  }
  // Work on a copy: init writes .terraform/ and .terraform.lock.hcl next to the configuration.
  work = mkdtempSync(join(tmpdir(), 'maps-terraform-'));
  cpSync(terraformDir, work, {
    recursive: true,
    filter: (src) => !['.terraform', '.terraform.lock.hcl'].includes(basename(src)) && !src.endsWith('.ts'),
  });
  mkdirSync(join(work, '.plugin-cache')); // one provider copy shared by every init
  for (const dir of [...roots, ...modules]) {
    const init = terraform(dir, 'init', '-backend=false', '-input=false');
    if (init.code !== 0) throw new Error(`terraform init -backend=false failed in ${dir}:\n${init.out}`);
  }
}

beforeAll(() => {
  try {
    setUp();
  } catch (error) {
    setupError = error as Error;
  }
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('terraform/ with the real CLI and the real hashicorp/google provider', () => {
  it('is formatted (terraform fmt -check -recursive)', () => {
    ready();
    const fmt = run('terraform', ['fmt', '-check', '-recursive', '-no-color'], terraformDir);
    expect(fmt.out, 'unformatted files (run terraform fmt -recursive terraform)').toBe('');
    expect(fmt.code).toBe(0);
  });

  it.each([...roots, ...modules])('%s validates against the provider schema', (dir) => {
    ready();
    const validate = terraform(dir, 'validate', '-json');
    const report = JSON.parse(validate.stdout) as { valid: boolean; diagnostics: { summary: string }[] };
    expect(report.diagnostics.map((d) => d.summary)).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each([...roots, ...modules])('%s passes every plan-only terraform test run', (dir) => {
    ready();
    const expected = runBlocks(dir);
    expect(expected, `${dir}/tests/*.tftest.hcl has no run block`).toBeGreaterThan(0);
    const test = terraform(dir, 'test');
    expect(test.out).toContain(`Success! ${expected} passed, 0 failed.`);
    expect(test.code).toBe(0);
  });

  it('each environment root calls modules/environment and nothing else, through identical files', () => {
    ready();
    const moduleTrees = environments.map((env) => {
      const manifest = JSON.parse(
        readFileSync(join(work, 'envs', env, '.terraform/modules/modules.json'), 'utf8'),
      ) as {
        Modules: { Key: string; Dir: string }[];
      };
      return manifest.Modules.filter((m) => m.Key !== '')
        .map((m) => `${m.Key} <- ${m.Dir}`)
        .sort();
    });
    // One module call per root; the composition module calls one module per concern (Dir: resolved from the root).
    expect(moduleTrees[0]).toEqual([
      'environment <- ../../modules/environment',
      'environment.api_identity <- ../../modules/workload-identity',
      'environment.github <- ../../modules/github-oidc',
      'environment.gke <- ../../modules/gke',
      'environment.network <- ../../modules/network',
      'environment.replica <- ../../modules/bigquery-replica',
    ]);
    expect(moduleTrees[1]).toEqual(moduleTrees[0]);
    expect(moduleTrees[2]).toEqual(moduleTrees[0]);
    // Only terraform.tfvars, backend.tf (its prefix) and the root's own tests may differ between environments.
    const filesOf = (env: string) =>
      readdirSync(join(terraformDir, 'envs', env))
        .filter((file) => file.endsWith('.tf'))
        .sort();
    expect(filesOf('dev')).toEqual(['backend.tf', 'main.tf', 'outputs.tf', 'variables.tf', 'versions.tf']);
    for (const env of environments) expect(filesOf(env), `envs/${env}/*.tf`).toEqual(filesOf('dev'));
    for (const file of filesOf('dev')) {
      const [dev, ...others] = environments.map((env) =>
        readFileSync(join(terraformDir, 'envs', env, file), 'utf8').replace(`"env/${env}"`, '"env/ENV"'),
      );
      for (const other of others) expect(other, `${file} differs between environments`).toBe(dev);
    }
  });

  it('tfvars agree with environments.json', () => {
    ready();
    const facts = JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as {
      environments: Record<
        string,
        { gcpProject: string; region: string; cluster: string; namespace: string }
      >;
      registry: { gcpProject: string; location: string; repository: string };
      replica: { source: string; dataset: string; location: string };
    };
    const evaluate = (dir: string, expression: string) => {
      // terraform console evaluates variables, locals and state-free module outputs as plan would (tfvars included).
      // It needs an initialised backend: in the temporary copy, a local backend override stands in for gcs.
      writeFileSync(join(work, dir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
      const init = terraform(dir, 'init', '-reconfigure', '-input=false');
      expect(init.code, init.out).toBe(0);
      const result = spawnSync('terraform', ['console', '-no-color'], {
        cwd: join(work, dir),
        input: `jsonencode(${expression})\n`,
        encoding: 'utf8',
        env: {
          ...process.env,
          TF_CLI_CONFIG_FILE: cliConfig,
          TF_PLUGIN_CACHE_DIR: join(work, '.plugin-cache'),
        },
      });
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(JSON.parse(result.stdout.trim()) as string) as unknown;
    };
    expect(Object.keys(facts.environments).sort()).toEqual([...environments].sort());
    for (const env of environments) {
      const fact = facts.environments[env]!;
      // The values modules/environment plans with: this root's tfvars over the module's shared defaults.
      expect(evaluate(`envs/${env}`, 'module.environment.facts')).toEqual({
        environment: env,
        project: fact.gcpProject,
        region: fact.region,
        cluster: fact.cluster,
        namespace: fact.namespace,
        registry: {
          project: facts.registry.gcpProject,
          location: facts.registry.location,
          repository: facts.registry.repository,
        },
        replica: {
          source: facts.replica.source,
          dataset: facts.replica.dataset,
          location: facts.replica.location,
        },
        // The deployer's state grant (github-oidc) names the bucket and prefix this root's backend.tf uses.
        state_bucket: backendSetting(env, 'bucket'),
        state_prefix: `env/${env}`,
      });
      expect(backendSetting(env, 'prefix')).toBe(`env/${env}`);
    }
    expect(evaluate('shared', '{registry=var.registry, projects=var.environment_projects}')).toEqual({
      registry: {
        project: facts.registry.gcpProject,
        location: facts.registry.location,
        repository: facts.registry.repository,
      },
      projects: Object.fromEntries(environments.map((env) => [env, facts.environments[env]!.gcpProject])),
    });
    expect(evaluate('bootstrap', 'var.projects')).toEqual(
      environments.map((e) => facts.environments[e]!.gcpProject),
    );
  });

  it('checkov finds no failed check, and every skipped one carries a reason listed in docs/infrastructure.md', () => {
    ready();
    const scan = run(
      'checkov',
      ['-d', '.', '--framework', 'terraform', '--skip-download', '--skip-path', '\\.terraform', '-o', 'json'],
      terraformDir,
      300_000,
    );
    if (!scan.stdout.trimStart().startsWith('{')) throw new Error(`checkov failed: ${scan.out}`);
    const report = JSON.parse(scan.stdout) as {
      results: {
        failed_checks: { check_id: string; resource: string; file_path: string }[];
        skipped_checks: { check_id: string; check_result: { suppress_comment?: string } }[];
        parsing_errors: string[];
      };
      summary: { passed: number };
    };
    const failed = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource} (${c.file_path})`);
    expect(failed, 'fix these or add `#checkov:skip=ID:reason` and list them in the docs').toEqual([]);
    expect(report.results.parsing_errors, 'files checkov could not parse').toEqual([]);
    expect(report.summary.passed).toBeGreaterThan(50);
    const docs = readFileSync(join(repoRoot, 'docs/infrastructure.md'), 'utf8');
    for (const skipped of report.results.skipped_checks) {
      const reason = skipped.check_result.suppress_comment ?? '';
      expect(reason.length, `${skipped.check_id} needs a reason`).toBeGreaterThan(20);
      expect(docs, `${skipped.check_id} must be listed in docs/infrastructure.md`).toContain(
        skipped.check_id,
      );
    }
  }, 300_000);
});
