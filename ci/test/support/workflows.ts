/** Loads .github/workflows/*.yml as plain objects for the policy tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const workflowDir = join(repoRoot, '.github/workflows');

export interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  if?: string;
}
export interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
export interface Workflow {
  file: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

export function workflowFiles(): string[] {
  return readdirSync(workflowDir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .map((f) => join(workflowDir, f));
}

export function loadWorkflows(): Workflow[] {
  return workflowFiles().map((file) => {
    // js-yaml's default schema keeps `on` as the string key "on" (YAML 1.2), as GitHub does.
    const doc = load(readFileSync(file, 'utf8')) as Omit<Workflow, 'file'>;
    return { file: file.slice(workflowDir.length + 1), ...doc };
  });
}

export const environmentOf = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;

export const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());

export const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run] : []));

/** Jobs that change a live environment: they need an environment gate and a queueing concurrency group. */
export const changesEnvironment = (job: Job) =>
  runs(job).some((r) => /dagger call (deploy|apply|replicate-table)\b/.test(r));
