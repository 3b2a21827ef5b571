/** Reads environments.json (the repo's one list of environments) from the source directory the module was given. */
import type { Directory } from '@dagger.io/dagger';

/**
 * A deployment environment. Member names equal their values, so `--env dev` is the same string everywhere
 * (environments.json, tfvars, values files, workflows); ci/test/module-api.test.ts keeps it equal to environments.json.
 */
export enum Environment {
  /** Every push to main. */
  dev = 'dev',
  /** Every push to main, then every release before production. */
  staging = 'staging',
  /** Version tags only, after staging, with required reviewers. */
  production = 'production',
}

export interface EnvironmentFacts {
  gcpProject: string;
  region: string;
  cluster: string;
  namespace: string;
  /** The repository variable holding the environment's public host (never a fact of the repository). */
  hostVariable: string;
  /** The repository variable holding the address its alerts notify (never a fact of the repository). */
  oncallVariable: string;
}

export interface Registry {
  gcpProject: string;
  location: string;
  repository: string;
}

interface EnvironmentsFile {
  environments: Record<string, EnvironmentFacts>;
  registry: Registry;
  /** Where main's toolbox job publishes the toolbox image (tools/toolbox), without a tag. */
  toolbox: { image: string };
  replica: { source: string; dataset: string; table: string; location: string };
}

export async function readEnvironments(source: Directory): Promise<EnvironmentsFile> {
  return JSON.parse(await source.file('environments.json').contents()) as EnvironmentsFile;
}

export async function environment(source: Directory, name: string): Promise<EnvironmentFacts> {
  const { environments } = await readEnvironments(source);
  const env = environments[name];
  if (!env) {
    throw new Error(
      `unknown environment "${name}": environments.json lists ${Object.keys(environments).join(', ')}`,
    );
  }
  return env;
}

/** RFC 2606 / 6761 names, which no certificate is issued for: Terraform refuses the same (terraform/envs/<env>). */
export const PLACEHOLDER_HOST = /(^|\.)example\.(com|net|org)$|(^|\.)(example|test|invalid|localhost)$/;
const FQDN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** The environment's public host as given (--host), or an error naming the variable it comes from. */
export function requireHost(env: EnvironmentFacts, host: string): string {
  const where = `pass the environment's public host (the repository variable ${env.hostVariable})`;
  if (!FQDN.test(host)) throw new Error(`--host "${host}" is not a lower-case DNS name: ${where}`);
  if (PLACEHOLDER_HOST.test(host))
    throw new Error(`--host "${host}" is a placeholder (a reserved example name): ${where}`);
  return host;
}

/** Mail to RFC 2606 / 6761 names reaches nobody: Terraform refuses the same (terraform/envs/<env>). */
export const PLACEHOLDER_EMAIL = /@(.+\.)?example\.(com|net|org)$|\.(example|test|invalid|localhost)$/;

/** The address the environment's alerts notify as given (--oncall-email), or an error naming its variable. */
export function requireOncallEmail(env: EnvironmentFacts, email: string): string {
  const where = `pass the team's on-call address (the repository variable ${env.oncallVariable})`;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    throw new Error(`--oncall-email "${email}" is not an email address: ${where}`);
  if (PLACEHOLDER_EMAIL.test(email.toLowerCase()))
    throw new Error(`--oncall-email "${email}" is a placeholder (a reserved example name): ${where}`);
  return email;
}

/** Artifact Registry host of the project registry, e.g. us-central1-docker.pkg.dev. */
export function registryHost(registry: Registry): string {
  return `${registry.location}-docker.pkg.dev`;
}

/** Artifact Registry path of an image we build, e.g. us-central1-docker.pkg.dev/<project>/maps/maps-api. */
export function registryImage(registry: Registry, image: string): string {
  return `${registryHost(registry)}/${registry.gcpProject}/${registry.repository}/${image}`;
}

const DIGEST_REFERENCE = /^([a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+)@(sha256:[a-f0-9]{64})$/;

/** Splits `repo@sha256:…`; refuses tags, so a deploy can only ever name an immutable image. */
export function parseDigestReference(reference: string): { repository: string; digest: string } {
  const match = DIGEST_REFERENCE.exec(reference);
  if (!match?.[1] || !match[2]) {
    throw new Error(`"${reference}" is not a digest reference (<registry>/<path>@sha256:<64 hex>)`);
  }
  return { repository: match[1], digest: match[2] };
}

/**
 * A digest reference of one of our images in the project registry, or an error: Binary Authorization admits only
 * that registry, and a deploy must never run an image from anywhere else.
 */
export function requireProjectImage(registry: Registry, image: string, reference: string): string {
  const { repository } = parseDigestReference(reference);
  const expected = registryImage(registry, image);
  if (repository !== expected) {
    throw new Error(`"${reference}" is not in the project registry: expected ${expected}@sha256:<digest>`);
  }
  return reference;
}
