// Small helpers for the image tests: run docker/compose, time things, wait for HTTP. Every failure throws with the
// command's output, and a missing engine is a failure with the fix in the message (never a skip).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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

export const docker = (args: string[], timeoutMs?: number) => run('docker', args, { timeoutMs });

/** Fails with the install command when the engine or the offline base images are missing. */
export async function requireDockerAndBases(): Promise<void> {
  await docker(['info', '--format', '{{.ServerVersion}}']).catch((error: Error) => {
    throw new Error(`no Docker engine: run tools/install.sh docker\n${error.message}`);
  });
  await run('bash', [join(REPO_ROOT, 'images/bases/build.sh'), '--check']);
}

/** `docker compose` when the plugin exists, else Debian's docker-compose (1.29); both read compose.yaml. */
export async function composeCommand(): Promise<string[]> {
  if (
    await run('docker', ['compose', 'version']).then(
      () => true,
      () => false,
    )
  )
    return ['docker', 'compose'];
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (existsSync(join(dir, 'docker-compose'))) return ['docker-compose'];
  }
  throw new Error('neither `docker compose` nor docker-compose found: run tools/install.sh docker');
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
