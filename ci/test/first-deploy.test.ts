// docs/infrastructure.md "First deploy from empty projects" against the code: the steps are the order the platform
// needs (each names a command or workflow that exists), and every dependency the code has between two steps is one
// the docs wait for. Each dependency below is read from the files that create it, so moving a resource, a job or a
// read to another place changes the facts, and the docs must follow.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflows, needsOf, repoRoot, runs, type Job } from './support/workflows.ts';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const docs = read('docs/infrastructure.md');
const section = /^## First deploy from empty projects\n([\s\S]*?)(?=^## )/m.exec(docs)?.[1] ?? '';

interface Step {
  n: number;
  title: string;
  body: string;
  waits: number[];
}
const steps: Step[] = [
  ...section.matchAll(/^(\d+)\. \*\*(.+?)\.\*\*([\s\S]*?)(?=^\d+\. \*\*|\n\n|(?![\s\S]))/gm),
].map(([, n, title, body]) => {
  const waits = /Waits for: ([^.]*)\./.exec(body!)?.[1] ?? '';
  return {
    n: Number(n),
    title: title!,
    body: body!.replace(/\s+/g, ' '),
    waits: waits === 'nothing' ? [] : waits.split(/,\s*/).map(Number),
  };
});
const step = (title: string) => {
  const found = steps.find((s) => s.title === title);
  if (!found) throw new Error(`docs/infrastructure.md has no first-deploy step "${title}"`);
  return found;
};
/** Every step a step waits for, directly or through the steps it waits for. */
function waitsFor(title: string): Set<string> {
  const all = new Set<string>();
  const visit = (s: Step) => {
    for (const n of s.waits) {
      const before = steps.find((x) => x.n === n)!;
      if (all.has(before.title)) continue;
      all.add(before.title);
      visit(before);
    }
  };
  visit(step(title));
  return all;
}

const workflows = loadWorkflows();
const job = (file: string, name: string) => {
  const found = workflows.find((w) => w.file === file)?.jobs[name];
  if (!found) throw new Error(`${file} has no job ${name}`);
  return found as Job;
};
const environmentsFile = JSON.parse(read('environments.json')) as {
  githubEnvironments: Record<string, unknown>;
  registry: { repository: string };
  replica: { dataset: string };
};

describe('docs/infrastructure.md: the first deploy from empty projects', () => {
  it('is the order from empty projects to a map: bootstrap, registry, environments, publish, replica, deploy, DNS, certificate, viewer', () => {
    expect(steps.map((s) => s.title)).toEqual([
      'Projects',
      'Bootstrap',
      'Registry',
      'GitHub environments',
      'Environments',
      'First publish',
      'Replica',
      'Deploy',
      'DNS',
      'Certificate',
      'A map in the viewer',
    ]);
    expect(steps.map((s) => s.n)).toEqual(steps.map((_, i) => i + 1));
  });

  it('has each step wait only for steps before it, and say so', () => {
    for (const s of steps) {
      expect(s.body, `step ${s.n} says what it waits for`).toMatch(/Waits for: /);
      for (const n of s.waits) expect(n, `step ${s.n} ${s.title}`).toBeLessThan(s.n);
    }
  });

  it('names, in each step, a command or workflow job that exists', () => {
    const functions = [...read('ci/src/index.ts').matchAll(/^ {2}async (\w+)\(/gm)].map(([, name]) =>
      name!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
    );
    for (const s of steps) {
      const named = [...s.body.matchAll(/`([^`]+)`/g)].map(([, code]) => code!);
      expect(named.length, `step ${s.n} ${s.title} names a command`).toBeGreaterThan(0);
      for (const code of named) {
        for (const [, fn] of code.matchAll(/dagger call ([a-z-]+)/g)) expect(functions, code).toContain(fn);
        const path = /^(terraform\/[\w/.-]+|\.\/dev)\b/.exec(code)?.[1];
        if (path) expect(existsSync(join(repoRoot, path)), `${code} exists`).toBe(true);
      }
      for (const [, file, name] of s.body.matchAll(/(\w+\.yml) `([\w-]+)`/g))
        expect(() => job(file!, name!)).not.toThrow();
    }
  });

  it('offers no manual route whose role nobody is granted (impersonating a CI account needs Token Creator)', () => {
    const tokenCreatorGranted = /roles\/iam\.serviceAccountTokenCreator/.test(
      ['terraform/bootstrap/main.tf', 'terraform/modules/github-oidc/main.tf'].map(read).join('\n'),
    );
    const offered = ['docs/infrastructure.md', 'terraform/README.md', 'terraform/bootstrap/README.md']
      .map(read)
      .join('\n');
    if (!tokenCreatorGranted) expect(offered).not.toMatch(/impersonate[-_]service[-_]account/);
  });

  describe('waits for what the code needs', () => {
    it('registry after bootstrap: terraform/shared grants only accounts terraform/bootstrap creates', () => {
      const shared = read('terraform/shared/main.tf');
      const granted = [...shared.matchAll(/"serviceAccount:([a-z-]+)@/g)].map(([, id]) => id!);
      expect(granted.sort()).toEqual(['github-deployer', 'github-publisher', 'gke-nodes']);
      const createdByBootstrap = [
        /node_account_id[\s\S]*?default\s*=\s*"([a-z-]+)"/.exec(
          read('terraform/bootstrap/variables.tf'),
        )?.[1],
        ...[...read('terraform/modules/github-oidc/main.tf').matchAll(/account_id\s*=\s*"([a-z-]+)"/g)].map(
          ([, id]) => id,
        ),
      ];
      expect(read('terraform/bootstrap/main.tf')).toMatch(/source\s*=\s*"\.\.\/modules\/github-oidc"/);
      for (const id of granted) expect(createdByBootstrap, id).toContain(id);
      expect(read('terraform/bootstrap/bootstrap.sh')).toMatch(/terraform -chdir=\.\.\/shared apply/);
      expect(waitsFor('Registry')).toContain('Bootstrap');
    });

    it('first publish after the registry and the GitHub environments: it pushes to the repository terraform/shared creates, as the publish environment', () => {
      expect(read('terraform/shared/main.tf')).toMatch(
        /module "registry" \{\s*source\s*=\s*"\.\.\/modules\/artifact-registry"/,
      );
      expect(read('terraform/shared/terraform.tfvars')).toContain(
        `repository = "${environmentsFile.registry.repository}"`,
      );
      expect(read('ci/src/index.ts')).toMatch(/async publish\([\s\S]*?registryImage\(registry/);
      const publish = job('main.yml', 'publish');
      expect(runs(publish).join()).toMatch(/dagger call publish/);
      expect(Object.keys(environmentsFile.githubEnvironments)).toContain(publish.environment);
      expect([...waitsFor('First publish')]).toEqual(
        expect.arrayContaining(['Registry', 'GitHub environments']),
      );
    });

    it('environments after bootstrap and the GitHub environments: their state buckets, appliers and variables', () => {
      for (const env of ['dev', 'staging', 'production']) {
        expect(read(`terraform/envs/${env}/backend.tf`)).toContain(`bucket = "maps-api-tfstate-${env}"`);
        const apply = job('infra.yml', `apply-${env}`);
        expect(JSON.stringify(apply.steps)).toContain('vars.TERRAFORM_SERVICE_ACCOUNT');
      }
      expect(read('terraform/bootstrap/main.tf')).toMatch(/"\$\{var\.state_bucket\}-\$\{env\}"/);
      expect([...waitsFor('Environments')]).toEqual(
        expect.arrayContaining(['Bootstrap', 'GitHub environments']),
      );
    });

    it('replica after the environments: it copies into the dataset each environment root creates', () => {
      expect(read('terraform/modules/environment/main.tf')).toMatch(
        /module "replica" \{\s*source\s*=\s*"\.\.\/bigquery-replica"/,
      );
      expect(read('terraform/modules/environment/variables.tf')).toContain(
        `dataset  = "${environmentsFile.replica.dataset}"`,
      );
      expect(runs(job('replica.yml', 'replicate')).join()).toMatch(/dagger call replicate-table/);
      expect([...waitsFor('Replica')]).toContain('Environments');
    });

    it('deploy after the environments, the first publish and the replica: its cluster, its digests, its smoke tileset', () => {
      expect(read('terraform/modules/environment/main.tf')).toMatch(
        /module "gke" \{\s*source\s*=\s*"\.\.\/gke"/,
      );
      const deployDev = job('main.yml', 'deploy-dev');
      expect(needsOf(deployDev)).toContain('publish');
      expect(JSON.stringify(deployDev.steps)).toContain('needs.publish.outputs.api-image');
      expect(read('ci/deploy/main.ts')).toMatch(/environments\.replica\.dataset/);
      expect([...waitsFor('Deploy')]).toEqual(
        expect.arrayContaining(['Environments', 'First publish', 'Replica']),
      );
    });

    it('DNS after the environments: the address is the env root output', () => {
      expect(read('terraform/modules/ingress/main.tf')).toMatch(
        /resource "google_compute_global_address" "ingress"/,
      );
      expect(read('terraform/envs/dev/outputs.tf')).toMatch(/output "ingress"/);
      expect([...waitsFor('DNS')]).toContain('Environments');
    });

    it('certificate after DNS and the deploy: issued for the host once it resolves, attached by the chart Ingress', () => {
      expect(read('terraform/modules/ingress/main.tf')).toMatch(
        /resource "google_compute_managed_ssl_certificate"/,
      );
      for (const env of ['dev', 'staging', 'production'])
        expect(read(`charts/maps-api/values-${env}.yaml`)).toContain(
          `ingress.gcp.kubernetes.io/pre-shared-cert: maps-api-${env}`,
        );
      expect([...waitsFor('Certificate')]).toEqual(expect.arrayContaining(['DNS', 'Deploy']));
    });

    it('the viewer after the certificate: it reads the environment over https', () => {
      expect(read('viewer/build.ts')).toMatch(/url: `https:\/\/\$\{host\}`/);
      expect([...waitsFor('A map in the viewer')]).toContain('Certificate');
    });
  });
});
