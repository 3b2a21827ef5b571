/** Terraform for one root (an environment's, or shared), initialised the same way by `plan` and `apply`. */
import { dag, type Container, type Directory, type Secret } from '@dagger.io/dagger';
import { pinned } from './images.js';
import { withGoogleCredentials } from './toolbox.js';

export const LOCK_FILE = '.terraform.lock.hcl';
const RULE_FILES = 'charts/maps-api/files/monitoring';

/**
 * `terraform init` flags: a committed lock file is enforced (`-lockfile=readonly`); without one, init records the
 * providers it selects inside the container, so plan works before and after the lock files are committed
 * (docs/infrastructure.md says how they are made: `terraform providers lock` on a machine that reaches the registry).
 */
export async function initArgs(source: Directory, root: string): Promise<string[]> {
  const locked = (await source.directory(root).entries()).includes(LOCK_FILE);
  return ['terraform', 'init', '-input=false', '-no-color', ...(locked ? ['-lockfile=readonly'] : [])];
}

/**
 * The root `plan` and `apply` work on: terraform/envs/<env>, or terraform/shared (the one registry, in production's
 * project and state bucket, so only production's accounts plan and apply it).
 */
export function terraformRoot(env: string, shared: boolean): string {
  if (!shared) return `terraform/envs/${env}`;
  if (env !== 'production')
    throw new Error(`terraform/shared belongs to production: use --env production, not ${env}`);
  return 'terraform/shared';
}

/** A root initialised against its backend, with the Workload Identity credentials mounted. */
export async function initialised(source: Directory, root: string, credentials: Secret): Promise<Container> {
  return (
    withGoogleCredentials(dag.container().from(pinned('terraform')), credentials)
      .withMountedCache('/root/.terraform.d/plugin-cache', dag.cacheVolume('maps-api-terraform-plugins'))
      .withEnvVariable('TF_PLUGIN_CACHE_DIR', '/root/.terraform.d/plugin-cache')
      .withEnvVariable('TF_IN_AUTOMATION', '1')
      .withDirectory('/terraform', source.directory('terraform'))
      // modules/environment reads the alert rules from their one copy in the chart (../../../charts from the module).
      .withDirectory(`/${RULE_FILES}`, source.directory(RULE_FILES))
      .withWorkdir(`/${root}`)
      .withExec(await initArgs(source, root))
  );
}
