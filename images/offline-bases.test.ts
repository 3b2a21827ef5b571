// Machines without a registry build our Dockerfiles against local stand-ins named maps-api-offline/<upstream name>,
// mapped in by BuildKit named contexts (images/offline.sh, images/docker.sh, compose.yaml): one list of upstream base
// names, and nothing on the user's Docker tagged with an upstream name.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, docker, requireDockerAndBases, run } from './test/docker.js';

const DOCKERFILES = ['api/Dockerfile', 'images/varnish/Dockerfile', 'images/emulator/Dockerfile'];

async function offlineBases(): Promise<string[]> {
  const script = await readFile(join(REPO_ROOT, 'images/offline.sh'), 'utf8');
  const list = /^OFFLINE_BASES=\((.*)\)$/m.exec(script)?.[1];
  if (!list) throw new Error('OFFLINE_BASES missing from images/offline.sh');
  return list.split(/\s+/).sort();
}

/** The images a Dockerfile starts from: every FROM that names neither an earlier stage nor scratch. */
async function upstreamBases(dockerfile: string): Promise<string[]> {
  const stages = new Set(['scratch']);
  const bases = new Set<string>();
  for (const [, image, stage] of (await readFile(join(REPO_ROOT, dockerfile), 'utf8')).matchAll(
    /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim,
  )) {
    if (!stages.has(image!)) bases.add(image!);
    if (stage) stages.add(stage);
  }
  return [...bases];
}

describe('the offline base mapping', () => {
  it('lists exactly the upstream bases our Dockerfiles name', async () => {
    const named = new Set((await Promise.all(DOCKERFILES.map(upstreamBases))).flat());
    expect([...named].sort()).toEqual(await offlineBases());
  });

  it('gives every compose build each base as a named context that defaults to the upstream image', async () => {
    const compose = parse(await readFile(join(REPO_ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { build?: { additional_contexts?: Record<string, string>; args?: string[] } }>;
    };
    const bases = await offlineBases();
    const builds = Object.entries(compose.services).filter(([, service]) => service.build);
    expect(builds.length).toBeGreaterThanOrEqual(8); // emulator, api-1..5, varnish, api-dev
    for (const [name, { build }] of builds) {
      expect(build!.additional_contexts, name).toEqual(
        Object.fromEntries(bases.map((base) => [base, `docker-image://\${MAPS_API_BASE_PREFIX:-}${base}`])),
      );
      expect(build!.args, name).toEqual(['BUILDKIT_SYNTAX']);
    }
  });
});

describe("the user's Docker", { tags: ['needs-docker'] }, () => {
  it('has no image under an upstream base name that this project built', async () => {
    await requireDockerAndBases(); // offline: every stand-in present under its maps-api-offline/ name
    for (const base of await offlineBases()) {
      const label = await docker([
        'image',
        'inspect',
        '-f',
        '{{index .Config.Labels "org.maps-api.base-recipe"}}',
        base,
      ]).catch((error: Error) => {
        if (/No such image/i.test(error.message)) return '';
        throw error;
      });
      expect(label, `${base} is a stand-in tagged with the upstream name`).toBe('');
    }
  });

  it('builds nothing with the legacy builder: the Dockerfiles need BuildKit', async () => {
    const legacy = await run('docker', ['build', '-q', '-f', 'images/varnish/Dockerfile', 'images/varnish'], {
      env: { DOCKER_BUILDKIT: '0' },
    }).then(
      () => 'built',
      (error: Error) => error.message,
    );
    expect(legacy).toMatch(/--mount|BuildKit/i);
  });
});
