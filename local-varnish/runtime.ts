/**
 * Which varnishd (and varnishtest, varnishadm, varnishstat…) the local launchers run: production's image
 * (images/varnish, Debian 13's Varnish 7.7 + varnish-modules) through Docker, or the machine's own packages.
 *
 *   MAPS_VARNISH_RUNTIME=image   always the image (tests and the bench: CI runs exactly production's Varnish)
 *   MAPS_VARNISH_RUNTIME=host    always this machine's varnishd (a version warning when its series differs)
 *   MAPS_VARNISH_RUNTIME=auto    (default, the local stack) the image where a Docker engine answers on Linux, else
 *                                the host's varnishd with that warning: a machine without Docker still gets a stack
 *
 * The image runs with the host's network (its varnishd reaches 127.0.0.1 backends and listens on 127.0.0.1, as the
 * host's would) and the host's uid (it reads and writes the caller's directories, mounted at the same paths), so
 * every path and address in the arguments means the same in both runtimes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hostVarnishVersion } from './host-version.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const DOCKERFILE = join(REPO_ROOT, 'images/varnish/Dockerfile');
const execFileAsync = promisify(execFile);

export type RuntimeKind = 'image' | 'host';

export interface VarnishRuntime {
  kind: RuntimeKind;
  /** `varnishd -V`'s version, e.g. "7.7.0". */
  version: string;
  /** Docker image reference (image runtime only). */
  image?: string;
}

/** A pinned value of tools/versions.env (VARNISH_SERIES, VARNISH_MODULES_SERIES). */
export function pinned(name: string): string {
  const text = readFileSync(join(REPO_ROOT, 'tools/versions.env'), 'utf8');
  const value = new RegExp(`^${name}=(\\S+)$`, 'm').exec(text)?.[1];
  if (!value) throw new Error(`${name} missing from tools/versions.env`);
  return value;
}

/**
 * `docker` as this project runs it: images/docker.sh (pinned buildx, offline base stand-ins) once
 * `tools/install.sh docker` has set it up, otherwise the user's own docker CLI.
 */
function dockerCommand(): string {
  const tools =
    process.env.MAPS_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'maps-api');
  return existsSync(join(tools, 'docker-config/config.json'))
    ? join(REPO_ROOT, 'images/docker.sh')
    : 'docker';
}

/** Runs docker; resolves to its standard output (and standard error, with `withStderr`). */
export async function docker(args: string[], timeoutMs = 600_000, withStderr = false): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(dockerCommand(), args, {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
    });
    return (withStderr ? stdout + stderr : stdout).trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')}: ${e.message}\n${e.stderr ?? ''}`.trim(), { cause: error });
  }
}

/** The image tag for the current images/varnish/Dockerfile: a changed Dockerfile is a new tag, built once. */
export function varnishImageTag(): string {
  const hash = createHash('sha256').update(readFileSync(DOCKERFILE)).digest('hex').slice(0, 12);
  return `maps-api/varnish:df-${hash}`;
}

let imageReady: Promise<string> | undefined;

/** Builds images/varnish unless the tag of its current Dockerfile exists; resolves to that tag. */
export function varnishImage(progress: (line: string) => void = () => undefined): Promise<string> {
  imageReady ??= (async () => {
    const tag = varnishImageTag();
    const present = await docker(['image', 'inspect', '--format', '{{.Id}}', tag]).then(
      () => true,
      () => false,
    );
    if (!present) {
      progress(
        `building ${tag} from images/varnish/Dockerfile (Debian 13's Varnish; once per Dockerfile change)`,
      );
      await docker(['build', '-q', '-t', tag, join(REPO_ROOT, 'images/varnish')], 1_800_000);
    }
    return tag;
  })();
  imageReady.catch(() => (imageReady = undefined));
  return imageReady;
}

async function dockerAnswers(): Promise<boolean> {
  if (process.platform !== 'linux') return false; // the image needs the host's network namespace (Linux only)
  return docker(['info', '--format', '{{.ServerVersion}}'], 15_000).then(
    () => true,
    () => false,
  );
}

async function imageRuntime(progress?: (line: string) => void): Promise<VarnishRuntime> {
  const image = await varnishImage(progress);
  // varnishd -V prints to standard error.
  const out = await docker(
    ['run', '--rm', '--network', 'none', image, 'varnishd', '-V'],
    120_000,
    true,
  ).catch((error: Error) => error.message);
  const version = /varnish-(\d+\.\d+\.\d+)/.exec(out)?.[1];
  if (!version) throw new Error(`varnishd -V in ${image} printed no version: ${out}`);
  return { kind: 'image', version, image };
}

function hostRuntime(): VarnishRuntime {
  const version = hostVarnishVersion();
  if (!version) throw new Error('varnishd not found on PATH: run tools/install.sh apt (or install Docker)');
  const series = pinned('VARNISH_SERIES');
  if (!version.startsWith(`${series}.`))
    console.warn(
      `WARNING: this machine's varnishd is ${version}; production, CI and the bench run Varnish ${series} ` +
        `(images/varnish). With a Docker engine the local stack runs that image instead.`,
    );
  return { kind: 'host', version };
}

const chosen = new Map<string, Promise<VarnishRuntime>>();

/**
 * The runtime of this process (decided once): see the file comment for MAPS_VARNISH_RUNTIME. `kind` asks for one
 * runtime whatever the environment says (the bench compares the host's Varnish with the image's in one run).
 */
export function varnishRuntime(
  progress?: (line: string) => void,
  kind?: RuntimeKind,
): Promise<VarnishRuntime> {
  const wanted = kind ?? process.env.MAPS_VARNISH_RUNTIME ?? 'auto';
  let runtime = chosen.get(wanted);
  if (runtime) return runtime;
  runtime = (async () => {
    if (wanted === 'image') {
      if (!(await dockerAnswers()))
        throw new Error(
          'MAPS_VARNISH_RUNTIME=image needs a Docker engine on Linux: run tools/install.sh docker',
        );
      return imageRuntime(progress);
    }
    if (wanted === 'host') return hostRuntime();
    if (wanted !== 'auto') throw new Error(`MAPS_VARNISH_RUNTIME must be image, host or auto, not ${wanted}`);
    if (await dockerAnswers()) {
      try {
        return await imageRuntime(progress);
      } catch (error) {
        console.warn(`Docker answers, but the Varnish image is not usable: ${(error as Error).message}`);
      }
    }
    return hostRuntime();
  })();
  chosen.set(wanted, runtime);
  runtime.catch(() => chosen.delete(wanted));
  return runtime;
}

/** Host paths a container sees at the same path; `writable` ones read-write, the others read-only. */
export interface Mounts {
  readOnly?: string[];
  writable?: string[];
}

function containerArgs(mounts: Mounts, network: 'host' | 'none', extra: string[] = []): string[] {
  const user = process.getuid && process.getgid ? [`--user`, `${process.getuid()}:${process.getgid()}`] : [];
  return [
    '--network',
    network,
    ...user,
    ...(mounts.readOnly ?? []).flatMap((path) => ['-v', `${path}:${path}:ro`]),
    ...(mounts.writable ?? []).flatMap((path) => ['-v', `${path}:${path}`]),
    ...extra,
  ];
}

/** Runs one Varnish tool (varnishtest, varnishd -C…) to completion in the runtime. */
export async function runVarnishTool(
  tool: string,
  args: string[],
  options: { mounts?: Mounts; network?: 'host' | 'none'; timeoutMs?: number } = {},
): Promise<{ code: number; output: string }> {
  const runtime = await varnishRuntime();
  const [command, commandArgs] =
    runtime.kind === 'host'
      ? [tool, args]
      : [
          dockerCommand(),
          [
            'run',
            '--rm',
            ...containerArgs(options.mounts ?? {}, options.network ?? 'none'),
            runtime.image!,
            tool,
            ...args,
          ],
        ];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      commandArgs,
      {
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, DOCKER_BUILDKIT: '1' },
      },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new Error(`${command} not found on PATH: run tools/install.sh apt (or tools/install.sh docker)`),
          );
          return;
        }
        resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

export interface RuntimeProcess {
  child: ChildProcess;
  /** Host pid of the process (in the image runtime: the container's first process, as the host's /proc sees it). */
  pid(): Promise<number>;
  /** Runs another tool beside it, e.g. varnishadm -n <its workdir> (image: `docker exec` into its container). */
  exec(tool: string, args: string[]): Promise<string>;
  /** Starts a long-running tool beside it (e.g. the exporter); it ends with the process at the latest. */
  spawnBeside(tool: string, args: string[]): ChildProcess;
  /** SIGTERM (image: docker stop), SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

let containers = 0;

/** Starts a long-running Varnish process (varnishd -F) in the runtime; `cpus` is a taskset -c list. */
export async function spawnVarnishProcess(
  runtime: VarnishRuntime,
  tool: string,
  args: string[],
  options: { mounts: Mounts; cpus?: string; prefix?: string[]; dockerArgs?: string[] },
): Promise<RuntimeProcess> {
  // A wrapper such as valgrind (bench/cache/profile.ts) runs the tool: [...prefix, tool, ...args].
  const command = [...(options.prefix ?? []), tool];
  if (runtime.kind === 'host') {
    const [first, ...commandArgs] = options.cpus
      ? ['taskset', '-c', options.cpus, ...command, ...args]
      : [...command, ...args];
    const child = spawn(first!, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    return {
      child,
      pid: async () => child.pid!,
      exec: async (other, otherArgs) =>
        (await execFileAsync(other, otherArgs, { maxBuffer: 64 * 1024 * 1024 })).stdout,
      spawnBeside: (other, otherArgs) => spawn(other, otherArgs, { stdio: 'ignore' }),
      stop: () => stopChild(child),
    };
  }
  const name = `maps-varnish-${process.pid}-${++containers}-${Date.now().toString(36)}`;
  const cpuset = [...(options.cpus ? ['--cpuset-cpus', options.cpus] : []), ...(options.dockerArgs ?? [])];
  const child = spawn(
    dockerCommand(),
    [
      'run',
      '--rm',
      '--name',
      name,
      ...containerArgs(options.mounts, 'host', cpuset),
      runtime.image!,
      ...command,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    async pid() {
      for (let i = 0; i < 100; i++) {
        const pid = Number(await docker(['inspect', '--format', '{{.State.Pid}}', name]).catch(() => '0'));
        if (pid > 0) return pid;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`container ${name} has no pid`);
    },
    exec: (other, otherArgs) => docker(['exec', name, other, ...otherArgs], 120_000),
    spawnBeside: (other, otherArgs) =>
      spawn(dockerCommand(), ['exec', name, other, ...otherArgs], { stdio: 'ignore' }),
    async stop() {
      if (exited()) return;
      await docker(['stop', '--time', '10', name], 60_000).catch(() => undefined);
      await stopChild(child);
    },
  };
}

/** Any image run the way the Varnish image is (host network, the caller's uid, same-path mounts): the bench's nginx. */
export function spawnContainer(
  image: string,
  tool: string,
  args: string[],
  options: { mounts: Mounts; cpus?: string },
): Promise<RuntimeProcess> {
  return spawnVarnishProcess({ kind: 'image', version: '', image }, tool, args, options);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}
