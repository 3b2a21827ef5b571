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
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toolsDir } from '@maps-api/emulator';
import { render, testHost } from '../charts/maps-api/tests/chart.js';
import { alerts } from '../monitoring/rule-files.js';

// Everything here runs the real Terraform CLI with the real hashicorp/google provider (from the local filesystem mirror
// built by tools/install.d/40-terraform.sh) and the real checkov. A missing tool fails the suite; nothing is skipped.

// Every test runs the real CLI (init, console, graph, test): on a loaded machine one takes minutes, not seconds.
vi.setConfig({ testTimeout: 300_000 });

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

let work = ''; // the copy of terraform/, inside workRoot
let workRoot = '';

function run(command: string, args: string[], cwd: string, timeoutMs = 120_000) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024, // checkov's JSON carries every resource's code
    env: terraformEnv(),
  });
  if (result.error) {
    throw new Error(`${command} ${args.join(' ')} in ${cwd}: ${result.error.message} (${installHint})`);
  }
  return { code: result.status ?? -1, stdout: result.stdout, out: `${result.stdout}${result.stderr}` };
}

// A repository identity for roots that require one (bootstrap has no default, by design); only its shape matters here.
// The on-call address, like the host, is an input with no value in the repository (CI passes it).
const testOncall = 'maps-oncall@acme-maps.net';
const testGithub = '{repository="acme/maps-api", repository_id="123456789", repository_owner_id="987654"}';

/**
 * `terraform console` evaluates variables, locals and state-free module outputs as plan would (tfvars included). It
 * needs an initialised backend: in the temporary copy, a local backend override stands in for gcs.
 */
function consoleValue(dir: string, expression: string): unknown {
  withLocalBackend(dir);
  const result = spawnSync('terraform', ['console', '-no-color'], {
    cwd: join(work, dir),
    input: `jsonencode(${expression})\n`,
    encoding: 'utf8',
    // The host and the on-call address are inputs with no value in the repository: each root gets the tests' own.
    env: {
      ...terraformEnv(),
      TF_VAR_host: testHost(dir.replace(/^envs\//, '')),
      TF_VAR_oncall_email: testOncall,
    },
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(JSON.parse(result.stdout.trim()) as string) as unknown;
}

const localBackends = new Set<string>();
function withLocalBackend(dir: string) {
  if (localBackends.has(dir)) return;
  writeFileSync(join(work, dir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
  const init = terraform(dir, 'init', '-reconfigure', '-input=false');
  expect(init.code, init.out).toBe(0);
  localBackends.add(dir);
}

function terraformEnv() {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_PLUGIN_CACHE_DIR: join(work, '.plugin-cache'),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_VAR_github: testGithub,
    CHECKPOINT_DISABLE: '1',
    NO_COLOR: '1',
  };
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
  workRoot = mkdtempSync(join(tmpdir(), 'maps-terraform-'));
  work = join(workRoot, 'terraform');
  // modules/environment reads the chart's alert rules (its one copy) from ../charts, as CI's container mounts them.
  const rules = 'charts/maps-api/files/monitoring';
  cpSync(join(repoRoot, rules), join(workRoot, rules), { recursive: true });
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
  if (workRoot) rmSync(workRoot, { recursive: true, force: true });
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
      'environment.alerting <- ../../modules/alerting',
      'environment.api_identity <- ../../modules/workload-identity',
      'environment.edge <- ../../modules/edge-security',
      'environment.gke <- ../../modules/gke',
      'environment.ingress <- ../../modules/ingress',
      'environment.network <- ../../modules/network',
      'environment.replica <- ../../modules/bigquery-replica',
      'environment.spend <- ../../modules/spend',
    ]);
    expect(moduleTrees[1]).toEqual(moduleTrees[0]);
    expect(moduleTrees[2]).toEqual(moduleTrees[0]);
    // Only terraform.tfvars, backend.tf (its bucket and prefix) and the root's own tests may differ between environments.
    const filesOf = (env: string) =>
      readdirSync(join(terraformDir, 'envs', env))
        .filter((file) => file.endsWith('.tf'))
        .sort();
    expect(filesOf('dev')).toEqual(['backend.tf', 'main.tf', 'outputs.tf', 'variables.tf', 'versions.tf']);
    for (const env of environments) expect(filesOf(env), `envs/${env}/*.tf`).toEqual(filesOf('dev'));
    for (const file of filesOf('dev')) {
      const [dev, ...others] = environments.map((env) =>
        readFileSync(join(terraformDir, 'envs', env, file), 'utf8')
          .replace(`"env/${env}"`, '"env/ENV"')
          .replace(`"maps-api-tfstate-${env}"`, '"maps-api-tfstate-ENV"'),
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
    const evaluate = consoleValue;
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
        host: testHost(env),
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
        // Bootstrap's per-environment bucket (its accounts' grants name it) is the one this root's backend.tf uses.
        state_bucket: backendSetting(env, 'bucket'),
        state_prefix: `env/${env}`,
      });
      expect(backendSetting(env, 'prefix')).toBe(`env/${env}`);
      expect(backendSetting(env, 'bucket')).toBe(`maps-api-tfstate-${env}`);
    }
    expect(evaluate('shared', '{registry=var.registry, projects=var.environment_projects}')).toEqual({
      registry: {
        project: facts.registry.gcpProject,
        location: facts.registry.location,
        repository: facts.registry.repository,
      },
      projects: Object.fromEntries(environments.map((env) => [env, facts.environments[env]!.gcpProject])),
    });
    expect(evaluate('bootstrap', 'var.environment_projects')).toEqual(
      Object.fromEntries(environments.map((e) => [e, facts.environments[e]!.gcpProject])),
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

/** Every resource that `dir`'s resources depend on, directly or not (from `terraform graph`, the config's own edges). */
function dependencyClosure(dir: string): Map<string, Set<string>> {
  withLocalBackend(dir);
  const graph = terraform(dir, 'graph');
  expect(graph.code, graph.out).toBe(0);
  const direct = new Map<string, Set<string>>();
  for (const [, from, to] of graph.stdout.matchAll(/"([^"]+)"\s*->\s*"([^"]+)"/g)) {
    const clean = (node: string) => node.replace(/^\[root\] /, '').replace(/ \(expand\)$/, '');
    const deps = direct.get(clean(from!)) ?? new Set<string>();
    deps.add(clean(to!));
    direct.set(clean(from!), deps);
  }
  const closure = new Map<string, Set<string>>();
  const visit = (node: string): Set<string> => {
    const known = closure.get(node);
    if (known) return known;
    const all = new Set<string>();
    closure.set(node, all);
    for (const dep of direct.get(node) ?? []) {
      all.add(dep);
      for (const transitive of visit(dep)) all.add(transitive);
    }
    return all;
  };
  for (const node of direct.keys()) visit(node);
  return closure;
}

function expectAfter(closure: Map<string, Set<string>>, resource: string, prerequisite: string) {
  expect(closure.has(resource), `${resource} is not in the graph`).toBe(true);
  expect([...(closure.get(resource) ?? [])], `${resource} must be created after ${prerequisite}`).toContain(
    prerequisite,
  );
}

/** The roots in the order docs/infrastructure.md's "First deploy from empty projects" applies them. */
function documentedApplyOrder(): string[] {
  const docs = readFileSync(join(repoRoot, 'docs/infrastructure.md'), 'utf8');
  const section = /^## First deploy from empty projects\n([\s\S]*?)(?=^## )/m.exec(docs)?.[1] ?? '';
  expect(section, 'docs/infrastructure.md has a "## First deploy from empty projects" section').not.toBe('');
  const order: string[] = [];
  for (const [, root] of section.matchAll(
    /`terraform\/(bootstrap|shared|envs\/(?:dev|staging|production))`/g,
  )) {
    if (!order.includes(root!)) order.push(root!);
  }
  return order;
}

type CiAccount = {
  email: string;
  github_environment: string;
  variable: string;
  project_roles: string[];
  state_role: string | null;
};

describe('apply order and identities, derived from the configuration itself', () => {
  it('inside an environment root, every resource comes after what it needs (terraform graph)', () => {
    ready();
    const order = dependencyClosure('envs/dev');
    const env = 'module.environment.module';
    // The cluster creates PROJECT.svc.id.goog: the API's Workload Identity binding must wait for it.
    expectAfter(
      order,
      `${env}.api_identity.google_service_account_iam_member.workload_identity`,
      `${env}.gke.google_container_cluster.this`,
    );
    // Nodes register with their role granted, and no workload is admitted before the admission policy exists.
    expectAfter(
      order,
      `${env}.gke.google_container_node_pool.default`,
      `${env}.gke.google_project_iam_member.nodes`,
    );
    expectAfter(
      order,
      `${env}.gke.google_container_node_pool.default`,
      `${env}.gke.google_binary_authorization_policy.this`,
    );
    expectAfter(
      order,
      `${env}.gke.google_container_cluster.this`,
      `${env}.network.google_compute_subnetwork.nodes`,
    );
    expectAfter(
      order,
      `${env}.api_identity.google_bigquery_dataset_iam_member.readable`,
      `${env}.replica.google_bigquery_dataset.replica`,
    );
    expectAfter(
      order,
      `${env}.replica.google_bigquery_dataset_iam_member.writers`,
      `${env}.replica.google_bigquery_dataset.replica`,
    );
    expectAfter(
      order,
      `${env}.api_identity.google_project_iam_member.api`,
      `${env}.api_identity.google_service_account.api`,
    );
  });

  it('in bootstrap, APIs are enabled before anything uses them, and pools before the bindings naming them', () => {
    ready();
    const order = dependencyClosure('bootstrap');
    const apis = 'google_project_service.enabled';
    for (const resource of [
      'google_storage_bucket.state',
      'google_storage_bucket.environment_state',
      'module.github.google_iam_workload_identity_pool.github',
      'module.github.google_iam_workload_identity_pool_provider.github',
      'module.github.google_service_account.ci',
      'module.github.google_project_iam_member.ci',
      'module.github.google_storage_bucket_iam_member.state',
    ]) {
      expectAfter(order, resource, apis);
    }
    expectAfter(
      order,
      'module.github.google_service_account_iam_member.wif',
      'module.github.google_iam_workload_identity_pool.github',
    );
    expectAfter(
      order,
      'module.github.google_storage_bucket_iam_member.state',
      'google_storage_bucket.environment_state',
    );
  });

  it('the documented first deploy applies bootstrap, then the registry (shared), then each environment', () => {
    ready();
    expect(documentedApplyOrder()).toEqual([
      'bootstrap',
      'shared',
      'envs/dev',
      'envs/staging',
      'envs/production',
    ]);
  });

  it('every account a root refers to by name is created by a root the docs apply before it', () => {
    ready();
    const order = documentedApplyOrder();
    const createdBy = new Map<string, string>();
    const bootstrapAccounts = consoleValue(
      'bootstrap',
      '{ for env, github in module.github : env => github.accounts }',
    ) as Record<string, Record<string, CiAccount>>;
    const nodeAccounts = consoleValue('bootstrap', 'local.node_accounts') as Record<string, string>;
    for (const env of environments) {
      for (const account of Object.values(bootstrapAccounts[env]!)) createdBy.set(account.email, 'bootstrap');
      createdBy.set(nodeAccounts[env]!, 'bootstrap');
      const created = consoleValue(`envs/${env}`, 'module.environment.service_accounts_created') as Record<
        string,
        string
      >;
      for (const email of Object.values(created)) createdBy.set(email, `envs/${env}`);
    }
    const referencesOf: Record<string, string[]> = { shared: [] };
    for (const env of environments) {
      referencesOf[`envs/${env}`] = [
        ...Object.values(
          consoleValue(`envs/${env}`, 'module.environment.ci_service_accounts') as Record<string, string>,
        ),
        consoleValue(`envs/${env}`, 'module.environment.node_service_account_email') as string,
      ];
    }
    referencesOf.shared = (
      consoleValue(
        'shared',
        'concat(local.node_members, values(local.deployer_members), [local.publisher_member])',
      ) as string[]
    ).map((member) => member.replace(/^serviceAccount:/, ''));
    for (const [root, emails] of Object.entries(referencesOf)) {
      for (const email of emails) {
        const creator = createdBy.get(email);
        expect(creator, `${root} refers to ${email}, which no root creates`).toBeDefined();
        expect(
          order.indexOf(creator!),
          `${email} (created by ${creator}) must be applied before ${root}`,
        ).toBeLessThan(order.indexOf(root));
      }
    }
  });

  it("bootstrap lets each environment's terraform account grant exactly the roles that environment grants, on its own bucket", () => {
    ready();
    const grantable = consoleValue('bootstrap', 'var.env_root_project_roles') as string[];
    const buckets = consoleValue('bootstrap', 'local.environment_state_buckets') as Record<string, string>;
    for (const env of environments) {
      expect(consoleValue(`envs/${env}`, 'module.environment.project_roles_granted'), env).toEqual(
        [...grantable].sort(),
      );
      expect(buckets[env], `bootstrap's bucket for ${env} is envs/${env}/backend.tf's`).toBe(
        backendSetting(env, 'bucket'),
      );
    }
  });
});

/**
 * The predefined project roles that carry each resource type's create/update/delete permissions (Google's IAM roles
 * reference). Compute: networkAdmin manages networks, routers, NAT, addresses and SSL policies but not firewall rules,
 * SSL certificates or security policies, which are securityAdmin's. Cloud Quotas needs serviceusage.services.use on the
 * calling project besides cloudquotas.admin. Budgets live on the billing account (roles/billing.costsManager there,
 * granted by its administrator: docs/production-readiness.md), so they need no project role.
 */
const rolesFor: Record<string, string[]> = {
  google_artifact_registry_repository: ['roles/artifactregistry.admin'],
  google_artifact_registry_repository_iam_member: ['roles/artifactregistry.admin'],
  google_bigquery_dataset: ['roles/bigquery.dataOwner'],
  google_bigquery_dataset_iam_member: ['roles/bigquery.dataOwner'],
  google_billing_budget: [],
  google_binary_authorization_policy: ['roles/binaryauthorization.policyEditor'],
  google_cloud_quotas_quota_preference: [
    'roles/cloudquotas.admin',
    'roles/serviceusage.serviceUsageConsumer',
  ],
  google_compute_firewall: ['roles/compute.securityAdmin'],
  google_compute_global_address: ['roles/compute.networkAdmin'],
  google_compute_managed_ssl_certificate: ['roles/compute.securityAdmin'],
  google_compute_network: ['roles/compute.networkAdmin'],
  google_compute_router: ['roles/compute.networkAdmin'],
  google_compute_router_nat: ['roles/compute.networkAdmin'],
  google_compute_security_policy: ['roles/compute.securityAdmin'],
  google_compute_ssl_policy: ['roles/compute.networkAdmin'],
  google_compute_subnetwork: ['roles/compute.networkAdmin'],
  // Nodes run as gke-nodes: creating them acts as that account (iam.serviceAccounts.actAs).
  google_container_cluster: ['roles/container.admin', 'roles/iam.serviceAccountUser'],
  google_container_node_pool: ['roles/container.admin', 'roles/iam.serviceAccountUser'],
  google_dns_record_set: ['roles/dns.admin'],
  google_monitoring_alert_policy: ['roles/monitoring.alertPolicyEditor'],
  google_monitoring_notification_channel: ['roles/monitoring.notificationChannelEditor'],
  // Granted apart, with a condition on the roles it may grant (modules/github-oidc terraform_grants).
  google_project_iam_member: ['roles/resourcemanager.projectIamAdmin'],
  'data.google_project': ['roles/resourcemanager.projectIamAdmin'], // resourcemanager.projects.get
  google_service_account: ['roles/iam.serviceAccountAdmin'],
  google_service_account_iam_member: ['roles/iam.serviceAccountAdmin'],
};

/** The resource and data source types a root's configuration has (every node `terraform graph` prints). */
function resourceTypes(dir: string): string[] {
  withLocalBackend(dir);
  const graph = terraform(dir, 'graph');
  expect(graph.code, graph.out).toBe(0);
  const types = new Set<string>();
  for (const [, node] of graph.stdout.matchAll(/"([^"]+)" \[label=/g)) {
    const match = /(?:^|\.)(data\.)?(google_[a-z0-9_]+)\.[A-Za-z0-9_-]+$/.exec(node!);
    if (match) types.add(`${match[1] ?? ''}${match[2]}`);
  }
  return [...types].sort();
}

describe("each environment's terraform account holds exactly the roles its resources need", () => {
  it.each(environments)('%s', (env) => {
    ready();
    // The registry's project applies terraform/shared with its account too.
    const roots = env === 'production' ? [`envs/${env}`, 'shared'] : [`envs/${env}`];
    const types = roots.flatMap(resourceTypes);
    expect(types).toEqual(
      expect.arrayContaining([
        'google_billing_budget',
        'google_cloud_quotas_quota_preference',
        'google_compute_security_policy',
        'google_monitoring_alert_policy',
        'google_monitoring_notification_channel',
      ]),
    );
    const needed = new Set<string>();
    for (const type of types) {
      expect(rolesFor[type], `which role creates ${type}? add it to rolesFor`).toBeDefined();
      for (const role of rolesFor[type]!) needed.add(role);
    }
    expect(needed.delete('roles/resourcemanager.projectIamAdmin')).toBe(true); // its own conditional grant
    const granted = consoleValue(
      'bootstrap',
      `module.github["${env}"].accounts.terraform.project_roles`,
    ) as string[];
    expect([...granted].sort()).toEqual([...needed].sort());
  });
});

describe('what the chart expects, Terraform creates', () => {
  it.each(environments)(
    "%s: the chart's Ingress names the static IP and certificate the environment root creates",
    (env) => {
      ready();
      const annotations = consoleValue(`envs/${env}`, 'module.environment.ingress.annotations') as Record<
        string,
        string
      >;
      expect(Object.keys(annotations).sort()).toEqual([
        'ingress.gcp.kubernetes.io/pre-shared-cert',
        'kubernetes.io/ingress.global-static-ip-name',
      ]);
      const ingress = render(env).find((object) => object.kind === 'Ingress');
      expect(ingress, `values-${env}.yaml renders an Ingress`).toBeDefined();
      expect(ingress!.metadata.annotations).toMatchObject(annotations);
      const host = (ingress as unknown as { spec: { rules: { host: string }[] } }).spec.rules[0]!.host;
      expect(consoleValue(`envs/${env}`, 'module.environment.facts.host')).toBe(host);
    },
  );

  it.each(environments)(
    "%s: the chart's BackendConfig and FrontendConfig name the Cloud Armor and SSL policies the root creates",
    (env) => {
      ready();
      const edge = consoleValue(`envs/${env}`, 'module.environment.edge') as {
        security_policy: string;
        ssl_policy: string;
      };
      const objects = render(env);
      const backend = objects.find((object) => object.kind === 'BackendConfig');
      const frontend = objects.find((object) => object.kind === 'FrontendConfig');
      expect(backend, `values-${env}.yaml renders a BackendConfig`).toBeDefined();
      expect(frontend, `values-${env}.yaml renders a FrontendConfig`).toBeDefined();
      expect(backend!.spec.securityPolicy.name).toBe(edge.security_policy);
      expect(frontend!.spec.sslPolicy).toBe(edge.ssl_policy);
    },
  );

  it.each(environments)(
    '%s: every alert rule is a Cloud Monitoring policy routed by severity, exactly where the chart deploys the recording rules and scraping it reads',
    (env) => {
      ready();
      const alerting = consoleValue(`envs/${env}`, 'module.environment.alerting') as {
        prometheus_alerts: boolean;
        routing: Record<string, string[]>;
        alerts: Record<string, { severity: string }>;
      };
      const kinds = render(env).map((object) => object.kind);
      expect(alerting.prometheus_alerts, `values-${env}.yaml monitoring.rules`).toBe(kinds.includes('Rules'));
      expect(kinds.includes('PodMonitoring')).toBe(kinds.includes('Rules'));
      expect(Object.keys(alerting.alerts).sort()).toEqual(
        alerts()
          .map((rule) => rule.alert)
          .sort(),
      );
      for (const [name, alert] of Object.entries(alerting.alerts)) {
        expect(alerting.routing[alert.severity], `${name} (${alert.severity}) reaches nobody`).not.toEqual(
          [],
        );
      }
    },
  );
});
