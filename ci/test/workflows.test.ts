/** GitHub workflows: actionlint on every file, then the pipeline's policies over the parsed YAML. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changesEnvironment,
  environmentOf,
  loadWorkflows,
  needsOf,
  repoRoot,
  runs,
  workflowFiles,
  type Job,
  type Workflow,
} from './support/workflows.ts';

const environments = Object.keys(
  (JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as { environments: object })
    .environments,
);
const workflows = loadWorkflows();
const byFile = (file: string) => workflows.find((w) => w.file === file) as Workflow;
const authOf = (job: Job) =>
  job.steps.find((s) => s.uses?.startsWith('google-github-actions/auth@'))?.with as
    Record<string, string> | undefined;
const allJobs = workflows.flatMap((w) => Object.entries(w.jobs).map(([name, job]) => ({ w, name, job })));
// The one kind of job that runs on the runner, not through Dagger: the rehearsal with kind (rehearsal/README.md), which
// needs the runner's Docker for its cluster and must never be nested inside `dagger call test`.
const isRehearsal = (w: Workflow, name: string) =>
  name === 'rehearse' && ['pr.yml', 'main.yml'].includes(w.file);
const daggerJobs = allJobs.filter(({ w, name }) => !isRehearsal(w, name));

function actionlint(args: string[], cwd: string) {
  const result = spawnSync('actionlint', ['-color=false', ...args], { cwd, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`actionlint not runnable (${result.error.message}): run tools/install.sh 60-actionlint`);
  }
  return result;
}

describe('actionlint', () => {
  it('finds no problem in any workflow', () => {
    const files = workflowFiles();
    expect(files.length).toBe(6);
    const result = actionlint(files, repoRoot);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is really checking: it rejects a workflow with an unknown context and a bad needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    const bad =
      'on: push\njobs:\n  a:\n    needs: nope\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ foo.bar }}\n';
    writeFileSync(join(dir, '.github/workflows/bad.yml'), bad);
    const result = actionlint(['.github/workflows/bad.yml'], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/needs/);
  });
});

describe('workflow policies', () => {
  it('has exactly the pipeline workflows: pr, main, release, infra, replica, rollback', () => {
    expect(workflows.map((w) => w.file).sort()).toEqual(
      ['infra.yml', 'main.yml', 'pr.yml', 'release.yml', 'replica.yml', 'rollback.yml'].sort(),
    );
  });

  it('pins every action to a 40-hex commit', () => {
    for (const { w, name, job } of allJobs) {
      for (const step of job.steps.filter((s) => s.uses && !s.uses.startsWith('./'))) {
        expect(step.uses, `${w.file} ${name}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    }
  });

  it('runs nothing but dagger in run steps', () => {
    for (const { w, name, job } of daggerJobs) {
      for (const run of runs(job)) expect(run, `${w.file} ${name}`).toMatch(/(^|\$\()dagger call [a-z-]+/);
    }
  });

  it('installs the Dagger CLI at the engine version dagger.json pins, in every job', () => {
    const engine = (
      JSON.parse(readFileSync(join(repoRoot, 'dagger.json'), 'utf8')) as { engineVersion: string }
    ).engineVersion;
    for (const { w, name, job } of daggerJobs) {
      const install = job.steps.filter((s) => s.uses?.startsWith('dagger/dagger-for-github@'));
      expect(install, `${w.file} ${name}`).toHaveLength(1);
      expect(`v${String(install[0]?.with?.version)}`).toBe(engine);
      expect(
        install[0]?.with?.call ?? install[0]?.with?.args,
        'the action only installs; run steps call',
      ).toBeUndefined();
    }
  });

  it('runs the rehearsal in its own job of pr and main, on the runner with kind, never through dagger call test', () => {
    expect(allJobs.filter(({ w, name }) => isRehearsal(w, name)).map(({ w }) => w.file)).toEqual([
      'main.yml',
      'pr.yml',
    ]);
    // The Go the toolbox image builds with (tools/versions.env): the same compiler on the runner and in the image.
    const golang = /^GO_VERSION=(.+)$/m.exec(readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8'))?.[1];
    for (const file of ['pr.yml', 'main.yml']) {
      const job = byFile(file).jobs.rehearse as Job;
      expect(runs(job), file).toEqual([
        'tools/install.sh helm docker kind',
        'npm ci --no-audit --no-fund',
        'npm run rehearse -- --provider kind',
      ]);
      expect(job.needs, file).toBeUndefined();
      const setup = (action: string) => job.steps.find((s) => s.uses?.startsWith(`actions/${action}@`))?.with;
      expect(setup('setup-node')).toEqual({ 'node-version-file': '.nvmrc' });
      expect(setup('setup-go')).toEqual({ 'go-version': golang, cache: false });
    }
    for (const { w, name, job } of daggerJobs) {
      for (const run of runs(job)) expect(run, `${w.file} ${name}`).not.toMatch(/rehearse/);
      // Nothing waits on a cluster: a PR's checks and main's publish and deploys run whatever the rehearsal does.
      expect(needsOf(job), `${w.file} ${name}`).not.toContain('rehearse');
    }
  });

  it('grants nothing at the top level and id-token: write exactly to jobs that authenticate to Google', () => {
    for (const w of workflows) expect(w.permissions, w.file).toEqual({});
    for (const { w, name, job } of allJobs) {
      const authenticates = job.steps.some((s) => s.uses?.startsWith('google-github-actions/auth@'));
      expect(job.permissions?.['id-token'] === 'write', `${w.file} ${name}`).toBe(authenticates);
      const others = Object.entries(job.permissions ?? {}).filter(
        ([k]) => k !== 'id-token' && k !== 'packages',
      );
      expect(others).toEqual([['contents', 'read']]);
    }
  });

  it("lets exactly one job write packages: main's toolbox job, which publishes the toolbox and nothing else", () => {
    const writers = allJobs.filter(({ job }) => job.permissions?.packages !== undefined);
    expect(writers.map(({ w, name }) => `${w.file} ${name}`)).toEqual(['main.yml toolbox']);
    const toolbox = writers[0]?.job as Job;
    expect(toolbox.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(runs(toolbox)).toEqual([
      'dagger call publish-toolbox --owner "$OWNER" --username "$ACTOR" --token env:REGISTRY_TOKEN',
    ]);
    expect(toolbox.steps.find((s) => s.run)?.env).toEqual({
      OWNER: '${{ github.repository_owner }}',
      ACTOR: '${{ github.actor }}',
      REGISTRY_TOKEN: '${{ github.token }}',
    });
    // main's tool-running jobs wait for it, so they pull the image instead of building it.
    const main = byFile('main.yml');
    expect(needsOf(main.jobs.verify as Job)).toEqual(['toolbox']);
    expect(main.on).toEqual({ push: { branches: ['main'] } });
  });

  it('gates every job that changes an environment with a GitHub environment and a queueing per-environment group', () => {
    const gated = allJobs.filter(({ job }) => changesEnvironment(job));
    expect(gated.length).toBeGreaterThanOrEqual(8);
    for (const { w, name, job } of gated) {
      const env = environmentOf(job);
      expect(env, `${w.file} ${name} has no environment`).toBeDefined();
      expect(job.concurrency?.['cancel-in-progress'], `${w.file} ${name} must queue, not cancel`).toBe(false);
      // The group names the same environment the job is gated by, so runs of one environment queue up.
      const group = job.concurrency?.group ?? '';
      expect(
        group.endsWith(`-${env}`) || group === `deploy-${env}`,
        `${w.file} ${name}: ${group} vs ${env}`,
      ).toBe(true);
    }
  });

  it('gives each workflow its own deploy groups, so no push can replace a release or rollback deploy', () => {
    // GitHub keeps one running and one pending job per concurrency group, and a newer pending job replaces the
    // pending one whatever cancel-in-progress says: a group shared by main and release would let a push to main
    // replace a release's pending staging deploy, and production (which needs it) would be skipped.
    const deploys = allJobs.filter(({ job }) => runs(job).some((r) => r.includes('dagger call deploy')));
    const owner = new Map<string, string>();
    for (const { w, name, job } of deploys) {
      const group = job.concurrency?.group ?? '';
      expect(group, `${w.file} ${name}`).toMatch(new RegExp(`^${w.file.replace('.yml', '')}-deploy-`));
      expect(owner.get(group) ?? w.file, `${group} is shared`).toBe(w.file);
      owner.set(group, w.file);
    }
    expect([...owner.keys()].sort()).toEqual(
      [
        'main-deploy-dev',
        'main-deploy-staging',
        'release-deploy-production',
        'release-deploy-staging',
        'rollback-deploy-${{ inputs.env }}',
      ].sort(),
    );
    const release = byFile('release.yml');
    const staging = release.jobs['deploy-staging'] as Job;
    expect(needsOf(release.jobs['deploy-production'] as Job)).toContain('deploy-staging');
    expect(runs(staging).join()).toContain('deploy --env staging');
  });

  it('deploys production only from a version tag, after staging, with the same resolved digest', () => {
    const prodDeploys = allJobs.filter(({ job }) => runs(job).some((r) => /deploy --env production/.test(r)));
    expect(prodDeploys.map(({ w }) => w.file)).toEqual(['release.yml']);
    const release = byFile('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    const prod = prodDeploys[0]?.job as Job;
    expect(environmentOf(prod)).toBe('production');
    expect(prod.if).toMatch(/startsWith\(github\.ref, 'refs\/tags\/v'\)/);
    const staging = needsOf(prod).map((n) => release.jobs[n]);
    expect(staging.some((j) => j && runs(j).some((r) => r.includes('deploy --env staging')))).toBe(true);
    // Both deploys take both images from the same resolve job outputs: one digest each for staging and production.
    for (const job of [prod, ...staging.filter((j) => j && environmentOf(j) === 'staging')]) {
      expect(JSON.stringify(job?.steps)).toContain('needs.resolve.outputs.api-image');
      expect(JSON.stringify(job?.steps)).toContain('needs.resolve.outputs.varnish-image');
    }
    expect(JSON.stringify(byFile('main.yml'))).not.toContain('production');
  });

  it('applies production infrastructure only from a version tag after staging', () => {
    const infra = byFile('infra.yml');
    const prod = infra.jobs['apply-production'] as Job;
    expect(prod.if).toMatch(/startsWith\(github\.ref, 'refs\/tags\/v'\)/);
    expect(needsOf(prod)).toEqual(['plan', 'apply-staging']);
  });

  it('applies only the saved plan of the same environment, made by the plan job and read by its reviewers', () => {
    const infra = byFile('infra.yml');
    const plan = infra.jobs.plan as Job;
    expect(runs(plan)).toEqual([
      'dagger call plan --env "$TARGET_ENV" --host "$HOST" --oncall-email "$ONCALL_EMAIL" --gcp-credentials "file:$GOOGLE_APPLICATION_CREDENTIALS" export --path "plan-$TARGET_ENV"',
    ]);
    const upload = plan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({ name: 'plan-${{ matrix.env }}', path: 'plan-${{ matrix.env }}/' });
    for (const env of environments) {
      const job = infra.jobs[`apply-${env}`] as Job;
      expect(needsOf(job)).toContain('plan');
      const download = job.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
      expect(download?.with).toEqual({ name: `plan-${env}`, path: `plan-${env}` });
      const [apply, ...rest] = runs(job);
      expect(rest).toEqual([]);
      expect(apply).toMatch(new RegExp(`^dagger call apply --env ${env} .*--plan plan-${env}/tfplan `));
    }
  });

  it('plans and applies every Terraform root but bootstrap (an Owner applies that one by hand)', () => {
    const terraform = join(repoRoot, 'terraform');
    const hasTf = (dir: string) => readdirSync(join(terraform, dir)).some((f) => f.endsWith('.tf'));
    const roots = [
      ...readdirSync(terraform).filter((d) => d !== 'modules' && statSync(join(terraform, d)).isDirectory()),
      ...readdirSync(join(terraform, 'envs')).map((env) => `envs/${env}`),
    ].filter(hasTf);
    expect(roots.sort()).toEqual(['bootstrap', 'shared', ...environments.map((env) => `envs/${env}`)].sort());
    const applies = Object.values(byFile('infra.yml').jobs).flatMap((job) => runs(job));
    const applied = (root: string) =>
      root === 'shared'
        ? /^dagger call apply --env production --shared /
        : new RegExp(`^dagger call apply --env ${root.slice(5)} (?!.*--shared)`);
    for (const root of roots.filter((r) => r !== 'bootstrap'))
      expect(
        applies.filter((run) => applied(root).test(run)),
        root,
      ).toHaveLength(1);
    expect(JSON.stringify(workflows)).not.toContain('bootstrap');
  });

  it("applies terraform/shared after production, from a version tag, in production with Terraform's identity", () => {
    const infra = byFile('infra.yml');
    const apply = infra.jobs['apply-shared'] as Job;
    // After production's apply, which creates the node account the registry grants read to (IAM refuses a member
    // that does not exist), and only when that apply succeeded.
    expect(needsOf(apply).sort()).toEqual(['apply-production', 'plan-shared']);
    expect(apply.if).toMatch(/startsWith\(github\.ref, 'refs\/tags\/v'\)/);
    expect(apply.if).toContain("needs.apply-production.result == 'success'");
    expect(environmentOf(apply)).toBe('production');
    expect(authOf(apply)).toEqual({
      workload_identity_provider: '${{ vars.WORKLOAD_IDENTITY_PROVIDER }}',
      service_account: '${{ vars.TERRAFORM_SERVICE_ACCOUNT }}',
    });
    const download = apply.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toEqual({ name: 'plan-shared', path: 'plan-shared' });
    expect(runs(apply)).toEqual([
      'dagger call apply --env production --shared --confirm-production --plan plan-shared/tfplan --gcp-credentials "file:$GOOGLE_APPLICATION_CREDENTIALS"',
    ]);

    // Its plan: made by the read-only planner in production-plan (the state is in production's bucket).
    const plan = infra.jobs['plan-shared'] as Job;
    expect(environmentOf(plan)).toBe('production-plan');
    expect(authOf(plan)?.service_account).toBe('${{ vars.PLAN_SERVICE_ACCOUNT }}');
    expect(runs(plan)).toEqual([
      'dagger call plan --env production --shared --gcp-credentials "file:$GOOGLE_APPLICATION_CREDENTIALS" export --path plan-shared',
    ]);
    const upload = plan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({ name: 'plan-shared', path: 'plan-shared/' });
    expect(plan.if).toBe(infra.jobs.plan?.if);

    // Production's accounts hold state roles on production's bucket only: shared's state must live there.
    const bucketOf = (root: string) =>
      /bucket\s*=\s*"([^"]+)"/.exec(
        readFileSync(join(repoRoot, 'terraform', root, 'backend.tf'), 'utf8'),
      )?.[1];
    expect(bucketOf('shared')).toBe(bucketOf('envs/production'));
    expect(bucketOf('shared')).toBeDefined();
  });

  it('names only environments from environments.json, and matrices cover all of them', () => {
    for (const { w, name, job } of allJobs) {
      const env = environmentOf(job);
      if (env && !env.includes('${{'))
        expect(
          [
            ...environments,
            ...environments.map((e) => `${e}-plan`),
            ...environments.map((e) => `${e}-replica`),
            'publish',
          ],
          `${w.file} ${name}`,
        ).toContain(env);
      if (env?.includes('${{'))
        expect([
          '${{ matrix.env }}',
          '${{ matrix.env }}-plan',
          '${{ matrix.env }}-replica',
          '${{ inputs.env }}',
        ]).toContain(env);
      const matrix = job.strategy?.matrix?.env;
      if (Array.isArray(matrix)) expect(matrix, `${w.file} ${name}`).toEqual(environments);
      if (typeof matrix === 'string') {
        const listed = JSON.parse(/'(\[.*?\])'/.exec(matrix)?.[1] ?? '[]') as string[];
        expect(listed, `${w.file} ${name}`).toEqual(environments);
      }
      for (const run of runs(job)) {
        const literal = /--env ([a-z]+)/.exec(run)?.[1];
        if (literal) expect(environments).toContain(literal);
      }
    }
    for (const file of ['replica.yml', 'rollback.yml']) {
      const inputs = (byFile(file).on.workflow_dispatch as { inputs: { env: { options: string[] } } }).inputs;
      expect(inputs.env.options).toEqual(environments);
    }
  });

  it('rolls back by redeploying a digest given by hand, through the same verified deploy', () => {
    const rollback = byFile('rollback.yml');
    expect(Object.keys(rollback.on)).toEqual(['workflow_dispatch']);
    const job = rollback.jobs.rollback as Job;
    expect(environmentOf(job)).toBe('${{ inputs.env }}');
    expect(runs(job).join()).toMatch(
      /dagger call deploy --env "\$TARGET_ENV" --confirm-production="\$CONFIRM" --api-image "\$API_IMAGE" --varnish-image "\$VARNISH_IMAGE"/,
    );
  });
});
