/** Reads environments.json (the repo's one list of environments) from the source directory the module was given. */
import type { Directory } from '@dagger.io/dagger';

export interface Environment {
  gcpProject: string;
  region: string;
  cluster: string;
  namespace: string;
  host: string;
}

export interface Registry {
  gcpProject: string;
  location: string;
  repository: string;
}

interface EnvironmentsFile {
  environments: Record<string, Environment>;
  registry: Registry;
  replica: { source: string; dataset: string; table: string; location: string };
}

export async function readEnvironments(source: Directory): Promise<EnvironmentsFile> {
  return JSON.parse(await source.file('environments.json').contents()) as EnvironmentsFile;
}

export async function environment(source: Directory, name: string): Promise<Environment> {
  const { environments } = await readEnvironments(source);
  const env = environments[name];
  if (!env) {
    throw new Error(
      `unknown environment "${name}": environments.json lists ${Object.keys(environments).join(', ')}`,
    );
  }
  return env;
}

/** Artifact Registry path of an image we build, e.g. us-central1-docker.pkg.dev/<project>/maps/maps-api. */
export function registryImage(registry: Registry, image: string): string {
  return `${registry.location}-docker.pkg.dev/${registry.gcpProject}/${registry.repository}/${image}`;
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
