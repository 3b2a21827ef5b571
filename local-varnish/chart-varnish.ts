/**
 * The chart is the one source of Varnish's site VCL and varnishd parameters. This renders them with `helm template`
 * (only the Varnish ConfigMap and Deployment of one environment) for the launchers outside Kubernetes: the local
 * stack, compose (images/varnish/render-compose-site.ts) and the bench. Backends and purgers are the only inputs
 * that differ from the cluster, passed as chart values (varnish.backends, varnish.purgers).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { toolsDir } from '@maps-api/emulator';

export const CHART_DIR = fileURLToPath(new URL('../charts/maps-api/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export type Environment = 'dev' | 'staging' | 'production';

export interface Backend {
  host: string;
  port: number;
}

export interface ChartVarnishOptions {
  environment?: Environment;
  backends: Backend[];
  /** CIDRs allowed to PURGE/BAN besides loopback (the chart always admits 127.0.0.1 and ::1). */
  purgers?: string[];
}

export interface ChartVarnish {
  /** The rendered site.vcl (the file given to `varnishd -f`, with `-p vcl_path=<the chart's files/vcl>`). */
  siteVcl: string;
  /** `-s malloc,<M>m` of the chart, in MiB. */
  mallocMb: number;
  /** `-s Transient=malloc,<T>m` of the chart, in MiB. */
  transientMb: number;
  /** `-l <L>m` of the chart (vsl_space, the shared-memory log), in MiB. */
  vslSpaceMb: number;
  /** The chart's `-p name=value` parameters, except vcl_path (a path inside the pod). */
  params: Record<string, string>;
  /** The whole varnishd argument list of the chart's container (paths as inside the pod). */
  varnishdArgs: string[];
}

function helm(): string {
  const installed = join(toolsDir(), 'bin', 'helm');
  return existsSync(installed) ? installed : 'helm';
}

function namespaceOf(environment: Environment): string {
  const file = JSON.parse(readFileSync(join(REPO_ROOT, 'environments.json'), 'utf8')) as {
    environments: Record<string, { namespace: string }>;
  };
  const entry = file.environments[environment];
  if (!entry) throw new Error(`unknown environment ${environment}`);
  return entry.namespace;
}

/** `helm template` output for the Varnish objects of one environment with the given backends and purgers. */
export function helmTemplateVarnish({
  environment = 'dev',
  backends,
  purgers = [],
}: ChartVarnishOptions): string {
  if (backends.length === 0) throw new Error('at least one backend is required');
  // prettier-ignore
  const args = [
    'template', 'maps-api', CHART_DIR,
    '--namespace', namespaceOf(environment),
    '--values', join(CHART_DIR, `values-${environment}.yaml`),
    '--set-json', `varnish.backends=${JSON.stringify(backends)}`,
    '--set-json', `varnish.purgers=${JSON.stringify(purgers)}`,
    '--show-only', 'templates/varnish-configmap.yaml',
    '--show-only', 'templates/varnish-deployment.yaml',
  ];
  try {
    return execFileSync(helm(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT')
      throw new Error('helm not found: run tools/install.sh (step 30-helm)', { cause: error });
    throw new Error(`helm template failed: ${stderr ?? (error as Error).message}`, { cause: error });
  }
}

type Rendered = {
  kind: string;
  data?: Record<string, string>;
  spec?: { template: { spec: { containers: { name: string; args: string[] }[] } } };
};

export function renderChartVarnish(options: ChartVarnishOptions): ChartVarnish {
  const objects = parseAllDocuments(helmTemplateVarnish(options)).map((doc) => doc.toJS() as Rendered);
  const siteVcl = objects.find((o) => o.kind === 'ConfigMap')?.data?.['site.vcl'];
  const varnishd = objects
    .find((o) => o.kind === 'Deployment')
    ?.spec?.template.spec.containers.find((c) => c.name === 'varnish');
  if (!siteVcl || !varnishd) throw new Error('the chart rendered no Varnish ConfigMap/Deployment');
  return { siteVcl, ...varnishdSettings(varnishd.args), varnishdArgs: varnishd.args };
}

/** Storage sizes and -p parameters from the chart's varnishd arguments. */
export function varnishdSettings(args: string[]): Omit<ChartVarnish, 'siteVcl' | 'varnishdArgs'> {
  let mallocMb = NaN;
  let transientMb = NaN;
  let vslSpaceMb = NaN;
  const params: Record<string, string> = {};
  args.forEach((arg, i) => {
    const value = args[i + 1] ?? '';
    if (arg === '-s') {
      const storage = /^(Transient=)?malloc,(\d+)m$/.exec(value);
      if (!storage) throw new Error(`unexpected storage argument in the chart: ${value}`);
      if (storage[1]) transientMb = Number(storage[2]);
      else mallocMb = Number(storage[2]);
    }
    if (arg === '-l') {
      const vsl = /^(\d+)m$/.exec(value);
      if (!vsl) throw new Error(`unexpected -l (vsl_space) argument in the chart: ${value}`);
      vslSpaceMb = Number(vsl[1]);
    }
    if (arg === '-p') {
      const [name, ...rest] = value.split('=');
      if (name && name !== 'vcl_path') params[name] = rest.join('=');
    }
  });
  if (!(mallocMb > 0 && transientMb > 0 && vslSpaceMb > 0))
    throw new Error(`no storage or log sizes in the chart's varnishd args: ${args.join(' ')}`);
  return { mallocMb, transientMb, vslSpaceMb, params };
}
