/**
 * images/docker.sh maps the upstream base names onto the project-owned stand-ins only where no registry is reachable:
 * with a registry, a build gets the Dockerfiles' real upstream bases, untouched.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');
const run = promisify(execFile);
let work = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'offline-mapping-'));
  await mkdir(join(work, 'bin'));
  await mkdir(join(work, 'tools', 'docker-config'), { recursive: true });
  await writeFile(join(work, 'tools', 'docker-config', 'config.json'), '{}\n');
  // Stands in for the docker CLI: prints what images/docker.sh would run it with.
  await writeFile(
    join(work, 'bin', 'docker'),
    '#!/bin/sh\necho "prefix=${MAPS_API_BASE_PREFIX:-none} syntax=${BUILDKIT_SYNTAX:-none}"\necho "$@"\n',
  );
  await chmod(join(work, 'bin', 'docker'), 0o755);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function build(offline: '0' | '1') {
  const { stdout } = await run('images/docker.sh', ['build', '-f', 'api/Dockerfile', '.'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PATH: `${join(work, 'bin')}:${process.env.PATH ?? ''}`,
      MAPS_TOOLS_DIR: join(work, 'tools'),
      DOCKER_HOST: 'unix:///nonexistent.sock',
      MAPS_API_OFFLINE: offline,
    },
  });
  return stdout;
}

describe('images/docker.sh', () => {
  it('passes a build through unchanged where a registry is reachable: the real upstream bases are pulled', async () => {
    const stdout = await build('0');
    expect(stdout).toBe('prefix=none syntax=none\nbuildx build -f api/Dockerfile .\n');
  });

  it('maps each upstream base onto its maps-api-offline/ stand-in only where no registry is reachable', async () => {
    const stdout = await build('1');
    expect(stdout).toMatch(/^prefix=maps-api-offline\/ syntax=maps-api-offline\/dockerfile-frontend:/);
    const contexts = [...stdout.matchAll(/--build-context (\S+)=docker-image:\/\/(\S+)/g)];
    const bases = /^OFFLINE_BASES=\((.*)\)$/m.exec(
      readFileSync(join(repoRoot, 'images/offline.sh'), 'utf8'),
    )?.[1];
    expect(contexts.map(([, upstream]) => upstream)).toEqual(bases?.split(' '));
    for (const [, upstream, standIn] of contexts) expect(standIn).toBe(`maps-api-offline/${upstream}`);
  });
});
