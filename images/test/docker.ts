// Small helpers for the image tests: run docker/compose, time things, wait for HTTP. Every failure throws with the
// command's output, and a missing engine is a failure with the fix in the message (never a skip).
// Every docker call goes through images/docker.sh: the pinned Compose v2 and buildx plugins, BuildKit, and (without a
// registry) the offline stand-ins mapped in by named contexts: the same path tools/install.sh and the README take.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim(),
      { cause: error },
    );
  }
}

const DOCKER = join(REPO_ROOT, 'images/docker.sh');

export const docker = (args: string[], timeoutMs?: number, env?: NodeJS.ProcessEnv) =>
  run(DOCKER, args, { timeoutMs, env });

/** A version pinned in tools/versions.env, without the leading `v` (as the tools print it). */
export function pinnedVersion(name: string): string {
  const versions = readFileSync(join(REPO_ROOT, 'tools/versions.env'), 'utf8');
  const version = new RegExp(`^${name}=v?(\\S+)$`, 'm').exec(versions)?.[1];
  if (!version) throw new Error(`${name} missing from tools/versions.env`);
  return version;
}

/**
 * Fails with the install command when the engine, the pinned Compose v2 / buildx plugins or (without a registry) the
 * offline stand-ins are missing: Debian's docker-compose 1.29 or the legacy builder are never a fallback.
 */
export async function requireDockerAndBases(): Promise<void> {
  await docker(['info', '--format', '{{.ServerVersion}}']).catch((error: Error) => {
    throw new Error(`no Docker engine: run tools/install.sh docker\n${error.message}`);
  });
  const compose = await docker(['compose', 'version', '--short']);
  const buildx = await docker(['buildx', 'version']);
  // `docker buildx version` prints `github.com/docker/buildx v0.38.2 <revision>`.
  const buildxVersion = buildx.split(/\s+/)[1];
  if (
    compose !== pinnedVersion('DOCKER_COMPOSE_VERSION') ||
    buildxVersion !== `v${pinnedVersion('DOCKER_BUILDX_VERSION')}`
  )
    throw new Error(
      `expected the pinned Compose v2 and buildx, found compose ${compose}, buildx ${buildxVersion}: run tools/install.sh docker`,
    );
  await run('bash', [join(REPO_ROOT, 'images/bases/build.sh'), '--check']);
}

/** The image's history written by BuildKit's Dockerfile frontend (the legacy builder leaves no such comment). */
export async function builtByBuildKit(image: string): Promise<boolean> {
  const comments = await docker(['image', 'history', '--no-trunc', '--format', '{{.Comment}}', image]);
  return comments.split('\n')[0] === 'buildkit.dockerfile.v0';
}

export async function imageSize(image: string): Promise<number> {
  return Number(await docker(['image', 'inspect', '-f', '{{.Size}}', image]));
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`[images] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Polls `url` until `accept` says yes (or the deadline passes, then throws with the last answer). */
export async function waitForHttp(
  url: string,
  accept: (res: Response) => boolean = (res) => res.ok,
  timeoutMs = 120_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    try {
      // A published port can accept and then stall while the container is still starting: bound every attempt.
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (accept(res)) return res;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
