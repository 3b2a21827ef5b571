// The workflows' job graphs per trigger, decided by GitHub's own rules (support/job-graph.ts): which jobs run on a
// push to main, a pull request, a version tag, the weekly schedule and a dispatch, and what a failure or a skip does
// downstream. The expressions are GitHub's, parsed and evaluated by @actions/expressions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import {
  ancestorsOf,
  effectiveCondition,
  interpolate,
  runGraph,
  statesStatus,
  triggers,
  type EnvironmentRule,
  type JobRun,
  type Trigger,
} from './support/job-graph.ts';
import {
  changesEnvironment,
  loadWorkflows,
  needsOf,
  repoRoot,
  type Job,
  type Workflow,
} from './support/workflows.ts';

const file = JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as {
  environments: Record<string, unknown>;
  githubEnvironments: Record<string, EnvironmentRule | string>;
};
const rules = Object.fromEntries(
  Object.entries(file.githubEnvironments).filter(([key]) => key !== '$comment'),
) as Record<string, EnvironmentRule>;
const workflows = loadWorkflows();

const PUSH_MAIN: Trigger = {
  label: 'push to main',
  event: 'push',
  ref: 'refs/heads/main',
  changed: ['terraform/envs/dev/terraform.tfvars', 'api/src/app.ts'],
};
const PULL_REQUEST: Trigger = {
  label: 'pull request',
  event: 'pull_request',
  ref: 'refs/pull/7/merge',
  baseBranch: 'main',
  changed: ['terraform/modules/gke/main.tf', 'api/src/app.ts'],
};
const FORK_PULL_REQUEST: Trigger = { ...PULL_REQUEST, label: 'pull request from a fork', fork: true };
const TAG: Trigger = { label: 'version tag', event: 'push', ref: 'refs/tags/v1.4.0' };
const SCHEDULE: Trigger = { label: 'weekly schedule', event: 'schedule', ref: 'refs/heads/main' };
const dispatch = (ref: string, inputs: Record<string, string | boolean>): Trigger => ({
  label: `dispatch on ${ref} with ${JSON.stringify(inputs)}`,
  event: 'workflow_dispatch',
  ref,
  inputs,
});

/** Every triggered workflow's jobs and results for one trigger. */
function run(trigger: Trigger): Map<string, Map<string, JobRun>> {
  return new Map(
    workflows.filter((w) => triggers(w, trigger)).map((w) => [w.file, runGraph(w, trigger, rules)]),
  );
}
const succeeded = (graph: Map<string, JobRun> | undefined) =>
  [...(graph ?? new Map<string, JobRun>()).entries()]
    .filter(([, r]) => r.result === 'success')
    .map(([n]) => n);
const jobOf = (file: string, name: string) =>
  (workflows.find((w) => w.file === file) as Workflow).jobs[name] as Job;

/** Jobs that ran and change an environment, with the GitHub environment of each leg. */
function changes(graphs: Map<string, Map<string, JobRun>>): string[] {
  return [...graphs].flatMap(([wf, graph]) =>
    [...graph].flatMap(([name, r]) =>
      changesEnvironment(jobOf(wf, name))
        ? r.legs.filter((l) => l.result !== 'skipped').map((l) => `${wf} ${name} → ${l.environment}`)
        : [],
    ),
  );
}
const failures = (graphs: Map<string, Map<string, JobRun>>) =>
  [...graphs].flatMap(([wf, graph]) =>
    [...graph]
      .filter(([, r]) => r.result === 'failure')
      .map(([name, r]) => `${wf} ${name}: ${r.legs.flatMap((l) => (l.reason ? [l.reason] : [])).join('; ')}`),
  );

describe("the job-graph evaluator applies GitHub's rules (a workflow of actions/runner#2205)", () => {
  const workflow = (nextIf?: string): Workflow => {
    const doc = load(`
on: push
jobs:
  skipped-job: {if: 1 != 1, runs-on: x, steps: [{run: a}]}
  needs-job: {needs: skipped-job, if: "always() && needs.skipped-job.result != 'failure'", runs-on: x, steps: [{run: b}]}
  next: {needs: needs-job, runs-on: x, steps: [{run: c}]${nextIf ? `, if: "${nextIf}"` : ''}}
`) as Omit<Workflow, 'file'>;
    return { file: 'example.yml', ...doc };
  };
  const push = { label: 'push', event: 'push', ref: 'refs/heads/main' } as const;

  it('skips a job with no status function whose grandparent was skipped, though its own need succeeded (implicit success())', () => {
    const graph = runGraph(workflow(), push, rules);
    expect([...graph].map(([n, r]) => [n, r.result])).toEqual([
      ['skipped-job', 'skipped'],
      ['needs-job', 'success'],
      ['next', 'skipped'],
    ]);
    expect(graph.get('next')?.condition).toBe('success()');
  });

  it("runs it when its condition says what it needs: !cancelled() && needs.<job>.result == 'success'", () => {
    const graph = runGraph(workflow("!cancelled() && needs.needs-job.result == 'success'"), push, rules);
    expect(graph.get('next')?.result).toBe('success');
    const rewritten = runGraph(workflow("needs.needs-job.result == 'success'"), push, rules).get('next');
    expect(rewritten).toMatchObject({
      result: 'skipped',
      condition: "success() && (needs.needs-job.result == 'success')",
    });
  });

  it('fails a job whose GitHub environment refuses the ref, as GitHub does', () => {
    const doc = load('on: push\njobs:\n  d: {environment: production, runs-on: x, steps: [{run: a}]}\n');
    const graph = runGraph({ file: 'e.yml', ...(doc as Omit<Workflow, 'file'>) }, push, rules);
    expect(graph.get('d')?.legs).toEqual([
      {
        environment: 'production',
        result: 'failure',
        reason: 'refs/heads/main is not allowed to deploy to production due to environment protection rules',
      },
    ]);
  });
});

describe('a push to main', () => {
  const graphs = run(PUSH_MAIN);

  it('publishes once and deploys dev then staging, applies dev then staging, and every job it starts is admitted', () => {
    expect(succeeded(graphs.get('main.yml'))).toEqual(
      expect.arrayContaining(['publish', 'deploy-dev', 'deploy-staging']),
    );
    expect(succeeded(graphs.get('infra.yml'))).toEqual(
      expect.arrayContaining(['plan', 'plan-shared', 'apply-dev', 'apply-staging']),
    );
    expect(failures(graphs)).toEqual([]);
  });

  it('never touches production', () => {
    expect(changes(graphs).sort()).toEqual([
      'infra.yml apply-dev → dev',
      'infra.yml apply-staging → staging',
      'main.yml deploy-dev → dev',
      'main.yml deploy-staging → staging',
    ]);
    expect(graphs.has('release.yml')).toBe(false);
  });

  it('does not apply infrastructure when nothing under terraform/ changed', () => {
    expect(run({ ...PUSH_MAIN, changed: ['api/src/app.ts'] }).has('infra.yml')).toBe(false);
  });
});

describe('a pull request', () => {
  it('plans every root once (infra.yml only) and changes nothing', () => {
    const graphs = run(PULL_REQUEST);
    expect(succeeded(graphs.get('infra.yml')).sort()).toEqual(['plan', 'plan-shared']);
    const planners = workflows.flatMap((w) =>
      Object.entries(w.jobs)
        .filter(([, job]) => job.steps.some((step) => /dagger call plan\b/.test(step.run ?? '')))
        .map(([name]) => `${w.file} ${name}`),
    );
    expect(planners.sort()).toEqual(['infra.yml plan', 'infra.yml plan-shared']);
    expect(changes(graphs)).toEqual([]);
    expect(failures(graphs)).toEqual([]);
  });

  it('from a fork: no job asks for an OIDC token (forks get none), nothing changes', () => {
    const graphs = run(FORK_PULL_REQUEST);
    expect(graphs.get('infra.yml')?.get('plan')?.result).toBe('skipped');
    expect(changes(graphs)).toEqual([]);
    expect(failures(graphs)).toEqual([]);
  });
});

describe('a version tag', () => {
  const graphs = run(TAG);

  it('applies staging, then production, then the shared registry, each after the one before succeeded', () => {
    const infra = graphs.get('infra.yml')!;
    expect(infra.get('apply-dev')?.result).toBe('skipped');
    const applies = succeeded(infra).filter((n) => n.startsWith('apply-'));
    expect(applies).toEqual(['apply-staging', 'apply-production', 'apply-shared']);
    const infraWorkflow = workflows.find((w) => w.file === 'infra.yml')!;
    expect([...ancestorsOf(infraWorkflow, 'apply-shared')]).toEqual(
      expect.arrayContaining(['apply-production', 'apply-staging']),
    );
    expect([...ancestorsOf(infraWorkflow, 'apply-production')]).toContain('apply-staging');
  });

  it('promotes the release to staging, then production', () => {
    expect(succeeded(graphs.get('release.yml'))).toEqual(['resolve', 'deploy-staging', 'deploy-production']);
    expect(graphs.has('main.yml')).toBe(false);
    expect(failures(graphs)).toEqual([]);
  });

  it('stops before production when staging fails, and applies nothing after a cancellation', () => {
    const failed = run({ ...TAG, failing: ['apply-staging', 'deploy-staging'] });
    expect(failed.get('infra.yml')?.get('apply-production')?.result).toBe('skipped');
    expect(failed.get('infra.yml')?.get('apply-shared')?.result).toBe('skipped');
    expect(failed.get('release.yml')?.get('deploy-production')?.result).toBe('skipped');
    const productionFails = run({ ...TAG, failing: ['apply-production'] });
    expect(productionFails.get('infra.yml')?.get('apply-shared')?.result).toBe('skipped');
    const cancelled = run({ ...TAG, cancelAfter: 'plan' });
    expect(changes(cancelled).filter((c) => c.startsWith('infra.yml'))).toEqual([]);
  });
});

describe('the weekly schedule and dispatches', () => {
  it("refreshes every environment's replica weekly, in a GitHub environment that admits the default branch", () => {
    const graphs = run(SCHEDULE);
    expect(failures(graphs)).toEqual([]);
    expect(changes(graphs).sort()).toEqual([
      'replica.yml replicate → dev-replica',
      'replica.yml replicate → production-replica',
      'replica.yml replicate → staging-replica',
    ]);
  });

  it("rolls back production only when dispatched from a version tag (production's rule), dev only from main", () => {
    const outcome = (wf: string, ref: string, inputs: Record<string, string | boolean>) =>
      [...run(dispatch(ref, inputs)).get(wf)!.values()].map((r) => r.result).join();
    const images = { 'api-image': 'r/maps-api@sha256:1', 'varnish-image': 'r/varnish@sha256:2' };
    expect(outcome('rollback.yml', 'refs/heads/main', { env: 'dev', ...images })).toBe('success');
    expect(outcome('rollback.yml', 'refs/heads/main', { env: 'staging', ...images })).toBe('success');
    expect(outcome('rollback.yml', 'refs/heads/main', { env: 'production', ...images })).toBe('failure');
    expect(outcome('rollback.yml', 'refs/tags/v1.4.0', { env: 'production', ...images })).toBe('success');
    expect(outcome('rollback.yml', 'refs/tags/v1.4.0', { env: 'dev', ...images })).toBe('failure');
  });

  it("refreshes any environment's replica on demand from main, never from elsewhere", () => {
    for (const env of ['dev', 'staging', 'production']) {
      const fromMain = run(dispatch('refs/heads/main', { env, 'dry-run': false })).get('replica.yml')!;
      expect(
        [...fromMain.values()].map((r) => r.result),
        env,
      ).toEqual(['success']);
      expect(fromMain.get('replicate')?.legs.map((l) => l.environment)).toEqual([`${env}-replica`]);
      const fromTag = run(dispatch('refs/tags/v1.4.0', { env, 'dry-run': false })).get('replica.yml')!;
      expect(
        [...fromTag.values()].map((r) => r.result),
        env,
      ).toEqual(['failure']);
    }
  });
});

describe('hosts', () => {
  const envs = file.environments as Record<string, { hostVariable: string }>;
  it("every deploy and environment plan passes --host from that environment's repository variable", () => {
    const vars = Object.fromEntries(
      Object.values(envs).map((e) => [e.hostVariable, `host-of-${e.hostVariable}`]),
    );
    let checked = 0;
    for (const w of workflows) {
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const step of job.steps) {
          const command = step.run ?? '';
          if (!/dagger call (deploy|plan)\b/.test(command) || command.includes('--shared')) continue;
          expect(command, `${w.file} ${name}`).toContain('--host "$HOST"');
          const literal = /--env ([a-z]+)/.exec(command)?.[1];
          const stepEnv = (step as { env?: Record<string, string> }).env ?? {};
          for (const env of literal ? [literal] : Object.keys(envs)) {
            const host = interpolate(stepEnv.HOST ?? '', { matrix: { env }, inputs: { env }, vars });
            expect(host, `${w.file} ${name} for ${env}`).toBe(`host-of-${envs[env]!.hostVariable}`);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(10); // plans 3, main 2, release 2, rollback 3
  });

  it("every environment plan passes --oncall-email from that environment's repository variable", () => {
    const oncall = file.environments as Record<string, { oncallVariable: string }>;
    const vars = Object.fromEntries(
      Object.values(oncall).map((e) => [e.oncallVariable, `oncall-of-${e.oncallVariable}`]),
    );
    let checked = 0;
    for (const w of workflows) {
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const step of job.steps) {
          const command = step.run ?? '';
          if (!/dagger call plan\b/.test(command) || command.includes('--shared')) continue;
          expect(command, `${w.file} ${name}`).toContain('--oncall-email "$ONCALL_EMAIL"');
          const stepEnv = (step as { env?: Record<string, string> }).env ?? {};
          for (const env of Object.keys(oncall)) {
            const email = interpolate(stepEnv.ONCALL_EMAIL ?? '', { matrix: { env }, inputs: { env }, vars });
            expect(email, `${w.file} ${name} for ${env}`).toBe(`oncall-of-${oncall[env]!.oncallVariable}`);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(3); // infra.yml plan, 3 environments
  });
});

describe('every job condition', () => {
  const all = workflows.flatMap((w) =>
    Object.keys(w.jobs).map((name) => ({ w, name, job: w.jobs[name] as Job })),
  );
  const triggersToTry = [PUSH_MAIN, PULL_REQUEST, FORK_PULL_REQUEST, TAG, SCHEDULE];
  /** Jobs that some trigger skips when every job that runs succeeds. */
  const skippable = new Set(
    triggersToTry.flatMap((t) =>
      workflows
        .filter((w) => triggers(w, t))
        .flatMap((w) =>
          [...runGraph(w, t, rules)]
            .filter(([, r]) => r.result === 'skipped')
            .map(([name]) => `${w.file} ${name}`),
        ),
    ),
  );

  it("parses with GitHub's expression parser", () => {
    for (const { w, name, job } of all)
      expect(() => effectiveCondition(job), `${w.file} ${name}`).not.toThrow();
  });

  it("states its status explicitly, and each need's result, where its needs chain can hold a skipped job", () => {
    expect(skippable.size).toBeGreaterThan(0);
    for (const { w, name, job } of all) {
      const ancestors = [...ancestorsOf(w, name)];
      if (!ancestors.some((a) => skippable.has(`${w.file} ${a}`))) continue;
      expect(statesStatus(job), `${w.file} ${name}: if: ${String(job.if)}`).toBe(true);
      expect(String(job.if), `${w.file} ${name}: always() would run it after a cancellation`).not.toMatch(
        /always\(\)/,
      );
      expect(String(job.if)).toMatch(/!cancelled\(\)/);
      for (const need of needsOf(job))
        expect(String(job.if), `${w.file} ${name} must check needs.${need}.result`).toContain(
          `needs.${need}.result == 'success'`,
        );
    }
  });
});
