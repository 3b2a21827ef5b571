/**
 * Which jobs of a workflow run for one trigger, decided as GitHub decides it, so the tests can read a workflow's job
 * graph per trigger instead of the text of its `needs`/`if`:
 * - `on:` filters: branches/tags/paths of push and pull_request (glob patterns; "path filters are not evaluated for
 *   pushes of tags"; a push filter that names only branches never runs for tags and the reverse).
 * - A job's `if:` goes through the runner's own rewrite (actions/runner WorkflowTemplateConverter.ConvertToIfCondition):
 *   empty → `success()`; no status function (success, failure, cancelled, always) anywhere in it → `success() && (…)`.
 *   Then it is parsed and evaluated by @actions/expressions (actions/languageservices: GitHub's own expression
 *   language in TypeScript), with the status functions defined as GitHub documents them for jobs: `success()` is
 *   true when every ancestor job (the whole `needs` chain, not only the direct needs: actions/runner#2205) succeeded,
 *   `failure()` when any ancestor failed, `cancelled()` when the run was cancelled, `always()` always.
 * - A job whose condition is false is `skipped`; the `needs` context holds the direct needs' results only.
 * - A job that runs in a GitHub environment whose deployment rules refuse the run's ref fails, as GitHub fails it
 *   ("not allowed to deploy to … due to environment protection rules"); the rules come from environments.json.
 * Matrix values and `environment:` expressions are evaluated per leg; a matrix job fails when any leg fails.
 */
import { Evaluator, Lexer, Parser, data, type Expr } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { environmentOf, needsOf, type Job, type Workflow } from './workflows.ts';

export type Result = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface Trigger {
  /** What the tests call it, e.g. "push to main". */
  label: string;
  event: 'push' | 'pull_request' | 'schedule' | 'workflow_dispatch';
  /** github.ref: refs/heads/main, refs/tags/v1.2.0, refs/pull/7/merge (a schedule runs on the default branch). */
  ref: string;
  /** pull_request: the base branch; the head repository is a fork when `fork` is set. */
  baseBranch?: string;
  fork?: boolean;
  /** Files the push or pull request changes (for `paths` filters). */
  changed?: string[];
  /** workflow_dispatch inputs given by the person (the rest take their defaults). */
  inputs?: Record<string, string | boolean>;
  /** Jobs that fail when they run (to follow a failure through the graph). */
  failing?: string[];
  /** The run is cancelled as soon as this job has run. */
  cancelAfter?: string;
}

/** A GitHub environment's deployment rules: the refs it admits ("any": no restriction). */
export interface EnvironmentRule {
  refs: string[] | 'any';
  reviewers?: boolean;
}

export interface Leg {
  /** The GitHub environment this leg runs in, evaluated (undefined: none). */
  environment?: string;
  result: Result;
  /** Why it failed, when a rule refused it. */
  reason?: string;
}

export interface JobRun {
  result: Result;
  /** The `if:` GitHub evaluates (after the runner's rewrite). */
  condition: string;
  legs: Leg[];
  /** Matrix values of each leg (one empty object for a job without a matrix). */
  matrix: Record<string, string>[];
}

export const REPOSITORY = 'acme/maps-api';
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];
const JOB_IF_CONTEXTS = ['github', 'needs', 'vars', 'inputs'];
const STRATEGY_CONTEXTS = ['github', 'needs', 'vars', 'inputs'];
const ENVIRONMENT_CONTEXTS = ['github', 'needs', 'vars', 'inputs', 'matrix', 'strategy'];

/** A GitHub filter pattern as a RegExp: `**` any characters, `*` any but `/`, `?` one character. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '.';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const matchesAny = (patterns: unknown, value: string) =>
  [patterns].flat().some((p) => typeof p === 'string' && globToRegExp(p).test(value));

/** Whether the workflow's `on:` starts a run for this trigger. */
export function triggers(workflow: Workflow, trigger: Trigger): boolean {
  const on = workflow.on;
  if (!(trigger.event in on)) return false;
  const filter = (on[trigger.event] ?? {}) as Record<string, unknown>;
  const paths = () => !filter.paths || (trigger.changed ?? []).some((file) => matchesAny(filter.paths, file));
  if (trigger.event === 'push') {
    const tag = trigger.ref.startsWith('refs/tags/');
    const name = trigger.ref.replace(/^refs\/(heads|tags)\//, '');
    const hasBranches = 'branches' in filter;
    const hasTags = 'tags' in filter;
    if (tag) return hasTags ? matchesAny(filter.tags, name) : !hasBranches; // no paths for tags
    if (hasBranches ? !matchesAny(filter.branches, name) : hasTags) return false;
    return paths();
  }
  if (trigger.event === 'pull_request') {
    if ('branches' in filter && !matchesAny(filter.branches, trigger.baseBranch ?? 'main')) return false;
    return paths();
  }
  return true;
}

function parse(expression: string, contexts: string[]): Expr {
  const lexed = new Lexer(expression).lex();
  const functions = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  return new Parser(lexed.tokens, contexts, functions).parse();
}

/** Every function a parsed expression calls, by walking its tree. */
function calledFunctions(node: unknown, found: string[] = []): string[] {
  if (!node || typeof node !== 'object') return found;
  const record = node as Record<string, unknown>;
  const name = (record.functionName as { lexeme?: string } | undefined)?.lexeme;
  if (name) found.push(name.toLowerCase());
  for (const key of ['args', 'expr', 'left', 'right', 'group', 'index']) {
    const child = record[key];
    for (const c of Array.isArray(child) ? child : [child]) calledFunctions(c, found);
  }
  return found;
}

/** `${{ x }}` → `x`: a job `if:` may be written either way. */
const unwrap = (text: string) => /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text)?.[1]?.trim() ?? text.trim();

/** The job condition GitHub evaluates: the runner's rewrite of what the workflow says. */
export function effectiveCondition(job: Job): string {
  const written = job.if === undefined ? '' : unwrap(String(job.if));
  if (!written) return 'success()';
  const functions = calledFunctions(parse(written, JOB_IF_CONTEXTS));
  return functions.some((f) => STATUS_FUNCTIONS.includes(f)) ? written : `success() && (${written})`;
}

/** Whether the workflow's own `if:` names a status function (the explicit form this repository requires). */
export function statesStatus(job: Job): boolean {
  if (job.if === undefined) return false;
  return calledFunctions(parse(unwrap(String(job.if)), JOB_IF_CONTEXTS)).some((f) =>
    STATUS_FUNCTIONS.includes(f),
  );
}

/** Every job a job depends on, directly or through its needs' needs. */
export function ancestorsOf(workflow: Workflow, name: string, seen = new Set<string>()): Set<string> {
  for (const need of needsOf(workflow.jobs[name] as Job)) {
    if (seen.has(need)) continue;
    seen.add(need);
    ancestorsOf(workflow, need, seen);
  }
  return seen;
}

const toData = (value: unknown): data.ExpressionData =>
  JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;

function evaluate(expression: string, contexts: Record<string, unknown>, status: StatusFunctions) {
  const tree = parse(expression, Object.keys(contexts));
  const context = new data.Dictionary(
    ...Object.entries(contexts).map(([key, value]) => ({ key, value: toData(value) })),
  );
  const functions = new Map(
    Object.entries(status).map(([name, value]) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
    ]),
  );
  return new Evaluator(tree, context, functions).evaluate();
}

/** A string that may hold `${{ … }}` parts, as GitHub interpolates it (e.g. `${{ matrix.env }}-plan`). */
export function interpolate(text: string, contexts: Record<string, unknown>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    evaluate(expression.trim(), contexts, NO_STATUS).coerceString(),
  );
}

type StatusFunctions = Record<'success' | 'failure' | 'cancelled' | 'always', boolean>;
const NO_STATUS: StatusFunctions = { success: true, failure: false, cancelled: false, always: true };

function inputsOf(workflow: Workflow, trigger: Trigger): Record<string, string | boolean> {
  const declared = ((
    workflow.on.workflow_dispatch as { inputs?: Record<string, { default?: unknown }> } | null
  )?.inputs ?? {}) as Record<string, { default?: string | boolean; type?: string }>;
  if (trigger.event !== 'workflow_dispatch') return {};
  const given = trigger.inputs ?? {};
  return Object.fromEntries(
    Object.entries(declared).map(([name, input]) => [
      name,
      given[name] ?? input.default ?? (input.type === 'boolean' ? false : ''),
    ]),
  );
}

function githubContext(trigger: Trigger, inputs: Record<string, unknown>) {
  const tag = trigger.ref.startsWith('refs/tags/');
  const event: Record<string, unknown> = {};
  if (trigger.event === 'pull_request') {
    event.pull_request = {
      head: { repo: { full_name: trigger.fork ? 'someone/maps-api' : REPOSITORY } },
      base: { ref: trigger.baseBranch ?? 'main' },
    };
  }
  if (trigger.event === 'workflow_dispatch') event.inputs = inputs;
  return {
    event_name: trigger.event,
    ref: trigger.ref,
    ref_name: trigger.ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: tag ? 'tag' : 'branch',
    repository: REPOSITORY,
    event,
  };
}

function matrixLegs(job: Job, contexts: Record<string, unknown>): Record<string, string>[] {
  const matrix = job.strategy?.matrix;
  if (!matrix) return [{}];
  const axes = Object.entries(matrix).map(([axis, values]) => {
    const list =
      typeof values === 'string'
        ? (JSON.parse(
            JSON.stringify(evaluate(unwrap(values), contexts, NO_STATUS), data.replacer),
          ) as unknown)
        : values;
    if (!Array.isArray(list)) throw new Error(`matrix.${axis} is not a list: ${String(values)}`);
    return list.map((value) => [axis, String(value)] as const);
  });
  return axes.reduce<Record<string, string>[]>(
    (legs, axis) => legs.flatMap((leg) => axis.map(([key, value]) => ({ ...leg, [key]: value }))),
    [{}],
  );
}

/** Whether a GitHub environment's deployment rules admit the run's ref. */
export function admits(rule: EnvironmentRule | undefined, ref: string): boolean {
  if (!rule) return false; // an environment nobody created: the repository admin's setup lists every one
  if (rule.refs === 'any') return true;
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  return rule.refs.some((pattern) => {
    const [kind, ...rest] = pattern.split(':');
    const wanted = rest.join(':');
    if (kind === 'branch') return ref.startsWith('refs/heads/') && globToRegExp(wanted).test(name);
    if (kind === 'tag') return ref.startsWith('refs/tags/') && globToRegExp(wanted).test(name);
    throw new Error(`environment rule "${pattern}": expected branch:<pattern> or tag:<pattern>`);
  });
}

/** Runs the workflow's job graph for one trigger: every job's result, in GitHub's terms. */
export function runGraph(
  workflow: Workflow,
  trigger: Trigger,
  rules: Record<string, EnvironmentRule>,
): Map<string, JobRun> {
  const results = new Map<string, JobRun>();
  const inputs = inputsOf(workflow, trigger);
  const github = githubContext(trigger, inputs);
  let cancelled = false;
  const pending = new Set(Object.keys(workflow.jobs));
  for (let round = 0; pending.size > 0; round++) {
    if (round > Object.keys(workflow.jobs).length) throw new Error(`${workflow.file}: needs form a cycle`);
    for (const name of [...pending]) {
      const job = workflow.jobs[name] as Job;
      const needs = needsOf(job);
      if (needs.some((need) => !results.has(need))) continue;
      pending.delete(name);
      const ancestors = [...ancestorsOf(workflow, name)].map((a) => results.get(a)!.result);
      const status: StatusFunctions = {
        success: !cancelled && ancestors.every((r) => r === 'success'),
        failure: ancestors.some((r) => r === 'failure'),
        cancelled,
        always: true,
      };
      const needsContext = Object.fromEntries(
        needs.map((need) => [need, { result: results.get(need)!.result, outputs: {} }]),
      );
      const condition = effectiveCondition(job);
      const base = { github, needs: needsContext, vars: {}, inputs };
      const runs = truthy(evaluate(condition, base, status));
      const matrix = matrixLegs(
        job,
        Object.fromEntries(STRATEGY_CONTEXTS.map((c) => [c, base[c as keyof typeof base]])),
      );
      if (!runs) {
        results.set(name, {
          result: 'skipped',
          condition,
          legs: matrix.map(() => ({ result: 'skipped' })),
          matrix,
        });
        continue;
      }
      const legs = matrix.map((values): Leg => {
        const written = environmentOf(job);
        const contexts = Object.fromEntries(
          ENVIRONMENT_CONTEXTS.map((c) => [
            c,
            c === 'matrix' ? values : c === 'strategy' ? {} : base[c as keyof typeof base],
          ]),
        );
        const environment = written === undefined ? undefined : interpolate(written, contexts);
        if (environment !== undefined && !admits(rules[environment], trigger.ref)) {
          return {
            environment,
            result: 'failure',
            reason: `${trigger.ref} is not allowed to deploy to ${environment} due to environment protection rules`,
          };
        }
        return { environment, result: trigger.failing?.includes(name) ? 'failure' : 'success' };
      });
      let result: Result = legs.some((l) => l.result === 'failure') ? 'failure' : 'success';
      if (trigger.cancelAfter === name) {
        result = 'cancelled';
        cancelled = true;
      }
      results.set(name, { result, condition, legs, matrix });
    }
  }
  return results;
}
