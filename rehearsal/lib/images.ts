/**
 * Builds the project's images from the repo's Dockerfiles and pushes them to the rehearsal registry; returns
 * repo@sha256 references, the form the deploy program takes (the same digest then runs in every namespace).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rehearsal, repoRoot, sh } from './kube.js';

/** Docker with BuildKit and the pinned plugins; offline, the base names map onto local stand-ins (images/README.md). */
const docker = join(repoRoot, 'images/docker.sh');

export interface Images {
  api: string;
  varnish: string;
  emulator: string;
}

async function pushed(tag: string): Promise<string> {
  await sh(docker, ['push', '--quiet', tag]);
  const digests = JSON.parse(
    await sh(docker, ['inspect', '--format', '{{json .RepoDigests}}', tag]),
  ) as string[];
  const repository = tag.slice(0, tag.lastIndexOf(':'));
  const reference = digests.find((d) => d.startsWith(`${repository}@`));
  if (!reference) throw new Error(`no digest for ${tag} after push: ${digests.join(', ')}`);
  return reference;
}

export async function buildAndPush(registry = rehearsal.registry): Promise<Images> {
  const tag = (name: string, suffix = 'rehearsal') => `${registry}/maps-api/${name}:${suffix}`;
  await sh(docker, ['build', '-q', '-f', 'api/Dockerfile', '--target', 'runtime', '-t', tag('api'), '.']);
  await sh(docker, ['build', '-q', '-t', tag('varnish'), 'images/varnish']);
  await sh(docker, ['build', '-q', '-f', 'images/emulator/Dockerfile', '-t', tag('bigquery-emulator'), '.']);
  return {
    api: await pushed(tag('api')),
    varnish: await pushed(tag('varnish')),
    emulator: await pushed(tag('bigquery-emulator')),
  };
}

/** An API image derived from `api` by one Dockerfile line, pushed under `suffix`; returns its digest reference. */
export async function derivedApiImage(api: string, suffix: string, line: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-image-'));
  try {
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${api}\n${line}\n`);
    const tag = `${api.slice(0, api.indexOf('@'))}:${suffix}`;
    await sh(docker, ['build', '-q', '-t', tag, dir]);
    return await pushed(tag);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
