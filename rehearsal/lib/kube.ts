/** Small helpers shared by the rehearsal and its tests: paths, commands, kubectl and loopback port-forwards. */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const toolsDir =
  process.env.MAPS_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'maps-api');
export const clusterBin = join(toolsDir, 'cluster', 'bin');

/**
 * The rehearsal's two cluster providers (rehearsal/README.md): the same program, deploy and tests run on either. Paths and
 * ports follow rehearsal/lib.sh (rehearsal/providers.test.ts compares them).
 */
export const providers = {
  kind: {
    what: 'kind (rehearsal/kind/cluster.yaml), for machines that can pull its node image: GitHub runners, laptops',
    up: 'rehearsal/kind/up.sh',
    down: 'rehearsal/kind/down.sh',
    kubeconfig: join(toolsDir, 'cluster', 'kind-kubeconfig'),
    registry: `localhost:${process.env.KIND_REGISTRY_PORT ?? '5001'}`,
  },
  source: {
    what: 'the one-node cluster built from source (rehearsal/up.sh), for machines that cannot pull images: this CI',
    up: 'rehearsal/up.sh',
    down: 'rehearsal/down.sh',
    kubeconfig: join(toolsDir, 'cluster', 'kubeconfig'),
    registry: `127.0.0.1:${process.env.CLUSTER_REGISTRY_PORT ?? '15000'}`,
  },
} as const;
export type ProviderName = keyof typeof providers;
export const providerNames = Object.keys(providers) as ProviderName[];

/** The provider of this run: REHEARSAL_PROVIDER, which `npm run rehearse -- --provider` sets for itself and its tests. */
export function provider(): (typeof providers)[ProviderName] & { name: ProviderName } {
  const name = process.env.REHEARSAL_PROVIDER;
  if (!name || !(name in providers)) {
    throw new Error(
      `REHEARSAL_PROVIDER is '${name ?? ''}', not one of ${providerNames.join(', ')}: run npm run rehearse`,
    );
  }
  return { ...providers[name as ProviderName], name: name as ProviderName };
}

/** The rehearsal's names; the cluster's kubeconfig and registry are its provider's. */
export const rehearsal = {
  get kubeconfig(): string {
    return provider().kubeconfig;
  },
  get registry(): string {
    return provider().registry;
  },
  emulatorNamespace: 'maps-rehearsal-bigquery',
  emulatorService: 'bigquery-emulator',
  emulatorPort: 9050,
  release: 'maps-api',
  namespaceOf: (env: string) => `maps-api-${env}`,
  /** The host each release's Ingress names (RFC 6761 `.test`: no controller acts on it here; real hosts are inputs). */
  hostOf: (env: string) => `maps-api.${env}.rehearsal.test`,
  environments: ['dev', 'staging', 'production'] as const,
};

export function toolEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: rehearsal.kubeconfig,
    PATH: `${clusterBin}:${join(toolsDir, 'bin')}:${process.env.PATH ?? ''}`,
  };
}

const execFileAsync = promisify(execFile);

/** Runs a command to completion; throws with its stderr when it fails. */
export async function sh(command: string, args: string[], options: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: toolEnv(),
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr || stdout}`.trim(), { cause: error });
  }
}

/** Runs a command with its output streamed (prefixed), resolving to its exit code. */
export function stream(command: string, args: string[], prefix: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) console.log(`${prefix} ${line}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

export async function kubectl(...args: string[]): Promise<string> {
  return sh('kubectl', args);
}

export async function kubectlJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

export interface PortForward {
  url: string;
  port: number;
  close: () => void;
}

/** `kubectl port-forward` bound to 127.0.0.1 on a free port (test traffic never goes to cluster addresses). */
export async function portForward(namespace: string, target: string, port: number): Promise<PortForward> {
  const child: ChildProcess = spawn(
    'kubectl',
    ['port-forward', '--address', '127.0.0.1', '-n', namespace, target, `:${port}`],
    { env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const local = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`port-forward to ${target}: no answer\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward to ${target} exited (${code}):\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${local}`, port: local, close: () => child.kill() };
}
