import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolsDir } from '@maps-api/emulator';
import { render } from '../charts/maps-api/tests/chart.js';

// The workflows against the identities Terraform creates: every job that authenticates to Google runs in a GitHub
// environment that some project's WIF provider accepts, impersonates (through vars.*) an account bootstrap creates for
// exactly that environment, and that account holds what the job's `dagger call` needs. Values come from the real
// configuration through `terraform console` (real CLI, real provider from the local mirror).

const terraformDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(terraformDir);
const workflowsDir = join(repoRoot, '.github/workflows');
const environments = ['dev', 'staging', 'production'];
const cliConfig = join(toolsDir(), 'terraform/cli.tfrc');

type Account = {
  email: string;
  github_environment: string;
  variable: string;
  project_roles: string[];
  state_role: string | null;
};
type Job = {
  environment?: string | { name: string };
  strategy?: { matrix?: { env?: string[] | string } };
  steps?: { uses?: string; run?: string; with?: Record<string, string> }[];
};

let work = '';
let accounts: Record<string, Record<string, Account>> = {};
let accepted: Record<string, string[]> = {};
let registryWriters: string[] = [];
let customRoles: Record<string, Record<string, string[]>> = {};
let deployerKinds: Record<string, string> = {};

function consoleValue(dir: string, expression: string): unknown {
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_VAR_github: '{repository="acme/maps-api", repository_id="1", repository_owner_id="2"}',
  };
  const result = spawnSync('terraform', ['console', '-no-color'], {
    cwd: join(work, dir),
    input: `jsonencode(${expression})\n`,
    encoding: 'utf8',
    env,
  });
  if (result.error || result.status !== 0)
    throw new Error(`terraform console in ${dir}: ${result.error?.message ?? result.stderr}`);
  return JSON.parse(JSON.parse(result.stdout.trim()) as string) as unknown;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'maps-wf-identities-'));
  cpSync(terraformDir, work, {
    recursive: true,
    filter: (src) =>
      !['.terraform', '.terraform.lock.hcl', 'envs'].includes(basename(src)) && !src.endsWith('.ts'),
  });
  for (const dir of ['bootstrap', 'shared']) {
    writeFileSync(join(work, dir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
    const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], {
      cwd: join(work, dir),
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1' },
    });
    if (init.error || init.status !== 0)
      throw new Error(`terraform init in ${dir}: ${init.error?.message ?? init.stdout + init.stderr}`);
  }
  accounts = consoleValue(
    'bootstrap',
    '{ for env, github in module.github : env => github.accounts }',
  ) as typeof accounts;
  accepted = consoleValue(
    'bootstrap',
    '{ for env, github in module.github : env => github.accepted_environments }',
  ) as typeof accepted;
  // terraform/shared passes exactly these as the registry's writers.
  registryWriters = consoleValue('shared', '[local.publisher_member]') as string[];
  customRoles = consoleValue(
    'bootstrap',
    '{ for env, github in module.github : env => github.custom_roles }',
  ) as typeof customRoles;
  deployerKinds = consoleValue(
    'bootstrap',
    'module.github["dev"].deployer_chart_kinds',
  ) as typeof deployerKinds;
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The GitHub environments a job can run in (matrix and workflow_dispatch choices expanded). */
function githubEnvironments(job: Job): string[] {
  const raw = typeof job.environment === 'object' ? job.environment.name : job.environment;
  if (!raw) return [];
  const matrix = job.strategy?.matrix?.env;
  const choices = Array.isArray(matrix) ? matrix : environments;
  if (!raw.includes('${{')) return [raw];
  return choices.map((env) => raw.replace(/\$\{\{\s*(matrix|inputs)\.env\s*\}\}/g, env));
}

function authenticatingJobs() {
  const jobs: { id: string; job: Job; auth: Record<string, string>; calls: string }[] = [];
  for (const file of readdirSync(workflowsDir).filter((f) => f.endsWith('.yml'))) {
    const workflow = parse(readFileSync(join(workflowsDir, file), 'utf8')) as { jobs: Record<string, Job> };
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const auth = job.steps?.find((step) => step.uses?.startsWith('google-github-actions/auth@'));
      if (!auth) continue;
      const calls = (job.steps ?? []).map((step) => step.run ?? '').join('\n');
      jobs.push({ id: `${file} ${name}`, job, auth: auth.with ?? {}, calls });
    }
  }
  return jobs;
}

const accountProject = (email: string) => /@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];

const variableOf = (expression: string | undefined) =>
  /^\$\{\{\s*vars\.([A-Z_]+)\s*\}\}$/.exec(expression ?? '')?.[1];

describe('workflows use only identities Terraform creates for their GitHub environment', () => {
  it('finds the authenticating jobs', () => {
    expect(authenticatingJobs().length).toBeGreaterThanOrEqual(8);
  });

  it.each(authenticatingJobs().map((j) => [j.id, j] as const))('%s', (_id, { job, auth, calls }) => {
    const envs = githubEnvironments(job);
    expect(envs.length, 'a job without `environment:` has a subject no provider accepts').toBeGreaterThan(0);
    expect(variableOf(auth.workload_identity_provider)).toBe('WORKLOAD_IDENTITY_PROVIDER');
    const variable = variableOf(auth.service_account);
    expect(variable, 'service_account comes from a vars.* Terraform documents').toBeDefined();
    for (const githubEnvironment of envs) {
      const project = Object.keys(accepted).find((env) => accepted[env]!.includes(githubEnvironment));
      expect(project, `no WIF provider accepts GitHub environment ${githubEnvironment}`).toBeDefined();
      const account = Object.values(accounts[project!]!).find(
        (a) => a.variable === variable && a.github_environment === githubEnvironment,
      );
      expect(
        account,
        `${githubEnvironment} has no ${variable} (bootstrap github_environment_variables)`,
      ).toBeDefined();
      const roles = account!.project_roles;
      if (/dagger call plan\b/.test(calls))
        expect(account!.state_role).toMatch(/roles\/storage\.object(Viewer|Admin)/);
      if (/dagger call apply\b/.test(calls)) expect(account!.state_role).toBe('roles/storage.objectAdmin');
      const accountIn = accountProject(account!.email);
      if (/dagger call deploy\b/.test(calls))
        expect(roles).toEqual([`projects/${accountIn}/roles/mapsApiDeployer`]);
      if (/dagger call replicate-table\b/.test(calls)) {
        expect(roles).toEqual(
          // The cluster endpoint for the cache ban's port-forward (RBAC: the chart's invalidator Role).
          expect.arrayContaining([
            'roles/bigquery.jobUser',
            'roles/monitoring.metricWriter',
            `projects/${accountIn}/roles/mapsApiClusterConnect`,
          ]),
        );
      }
      if (/dagger call (publish|resolve-images?)\b/.test(calls)) {
        expect(registryWriters, 'terraform/shared makes this account a registry writer').toContain(
          `serviceAccount:${account!.email}`,
        );
      }
    }
  });
});

/**
 * What each Kubernetes API call of the deploy program (ci/deploy, ci/smoke) needs in GKE IAM terms. A call
 * the program makes that is not here fails the test, so a new call cannot go without its grant.
 */
const PROGRAM_CALLS: Record<string, string[]> = {
  readNamespace: ['container.namespaces.get'],
  createNamespace: ['container.namespaces.create'],
  replaceNamespace: ['container.namespaces.update'],
  readNamespacedService: ['container.services.get'],
  listNamespacedPod: ['container.pods.list'],
  readNamespacedPodLog: ['container.pods.getLogs'],
  listNamespacedEvent: ['container.events.list'],
  readNamespacedIngress: ['container.ingresses.get'],
  PortForward: ['container.pods.portForward'],
};
/**
 * helm itself: release records in Secrets (its default driver), --wait's newest ReplicaSet of each Deployment
 * (helm.sh/helm pkg/kube/ready.go lists them), and the DNS endpoint the kubeconfig targets.
 */
const HELM_AND_ENDPOINT = [
  'container.replicaSets.list',
  ...['create', 'delete', 'get', 'list', 'update'].map((verb) => `container.secrets.${verb}`),
  'container.clusters.get',
  'container.clusters.connect',
];
/** An RBAC rule's resource and verb as GKE's IAM names them (a Role's creator must hold what it grants). */
const iamOfRule = (resource: string, verb: string) =>
  resource === 'pods/portforward' ? 'container.pods.portForward' : `container.${resource}.${verb}`;

describe('the deployer holds exactly what the chart and the deploy program need', () => {
  const rendered = environments.map((env) => ({ env, objects: render(env) }));
  const deployerRole = (env: string) =>
    customRoles[env]![`projects/maps-api-${env}/roles/mapsApiDeployer`] ?? [];

  it('grants exactly the kinds the chart renders in some environment (helm test pod included)', () => {
    const kinds = new Set(rendered.flatMap(({ objects }) => objects.map((o) => o.kind)));
    expect([...kinds].sort()).toEqual(Object.keys(deployerKinds).sort());
  });

  it('lets helm create, read, list, update and delete every rendered object, in every environment', () => {
    for (const { env, objects } of rendered) {
      for (const object of objects) {
        for (const verb of ['create', 'get', 'list', 'update', 'delete'])
          expect(deployerRole(env), `${env} ${object.kind}`).toContain(
            `container.${deployerKinds[object.kind]}.${verb}`,
          );
      }
    }
  });

  it('holds every permission of the Role the chart creates (Kubernetes refuses a Role that grants more than its creator holds)', () => {
    for (const { env, objects } of rendered) {
      const role = objects.find((o) => o.kind === 'Role');
      const rules = (role?.rules ?? []) as { resources: string[]; verbs: string[] }[];
      expect(rules.length, env).toBeGreaterThan(0);
      for (const rule of rules)
        for (const resource of rule.resources)
          for (const verb of rule.verbs)
            expect(deployerRole(env), `${env} ${resource} ${verb}`).toContain(iamOfRule(resource, verb));
    }
  });

  it('covers every Kubernetes call the deploy program makes, and holds nothing the chart and the program do not need', () => {
    const sources = ['ci/deploy/steps.ts', 'ci/deploy/port-forward.ts', 'ci/smoke/public.ts']
      .map((file) => readFileSync(join(repoRoot, file), 'utf8'))
      .join('\n');
    const called = new Set([
      ...[...sources.matchAll(/\b(?:core|apps|networking)\s*\.\s*([a-zA-Z]+)\(/g)].map((m) => m[1]!),
      ...[...sources.matchAll(/\.makeApiClient\(\w+\)\s*\.\s*([a-zA-Z]+)\(/g)].map((m) => m[1]!),
      ...(/new PortForward\(/.test(sources) ? ['PortForward'] : []),
    ]);
    // Every call the program makes has its permission listed here, and every listed call is still made.
    expect([...called].sort()).toEqual(Object.keys(PROGRAM_CALLS).sort());
    const needed = new Set([
      ...Object.values(deployerKinds).flatMap((resource) =>
        ['create', 'delete', 'get', 'list', 'update'].map((verb) => `container.${resource}.${verb}`),
      ),
      ...[...called].flatMap((call) => PROGRAM_CALLS[call]!),
      ...HELM_AND_ENDPOINT,
    ]);
    for (const env of environments) expect([...deployerRole(env)].sort(), env).toEqual([...needed].sort());
  });
});
