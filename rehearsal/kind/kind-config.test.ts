// The kind provider's configuration, checked by kind itself. No kind node image can be pulled here, so the cluster is
// never created: `kind create cluster` runs against the real Docker engine for what kind asks it (docker info, ps),
// while its image check and pull go to a recording docker that refuses them. kind v0.33.0 validates the whole
// configuration before it pulls (pkg/cluster/internal/create/create.go: Validate, then Provision, whose first step is
// the node image), so reaching the pull of our pinned image means kind accepted the file. What only a hosted run
// shows (the node booting, containerd taking the patch, pulls from the local registry) is in rehearsal/README.md.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../lib/kube.js';

const configFile = join(repoRoot, 'rehearsal/kind/cluster.yaml');
const configText = readFileSync(configFile, 'utf8');
const config = parse(configText) as {
  nodes: { role: string; image: string }[];
  featureGates: Record<string, boolean>;
  runtimeConfig: Record<string, string>;
  containerdConfigPatches: string[];
};
const versions = Object.fromEntries(
  readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^\w+=/.test(line))
    .map((line) => line.split('=') as [string, string]),
);
const scratch = mkdtempSync(join(tmpdir(), 'kind-config-'));
const clusterName = `maps-kind-check-${process.pid}`;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function which(program: string): string {
  const found = spawnSync('bash', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
  if (!found)
    throw new Error(
      `${program} not found on PATH: run tools/install.sh ${program === 'kind' ? 'kind' : 'docker'}`,
    );
  return found;
}

// kind shells out to `docker` for everything: this one passes kind's read-only questions to the engine and records and
// refuses the rest, so nothing is downloaded or started wherever the test runs (a laptop with internet included).
const recordingDocker = `#!/usr/bin/env bash
echo "$*" >>"$DOCKER_CALLS"
case "$1" in
  info | ps) exec "$REAL_DOCKER" "$@" ;;
  inspect) [ "$2" = --type=image ] && { echo "Error: No such image: $3" >&2; exit 1; } ;;
  pull) echo "refused by the test: no node image is pulled" >&2; exit 1 ;;
esac
echo "unexpected docker call: $*" >&2
exit 3
`;

/** `kind create cluster --config <file>` with the recording docker; returns kind's output and the docker calls. */
function kindCreate(name: string, text: string) {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, text);
  writeFileSync(join(dir, 'docker'), recordingDocker);
  chmodSync(join(dir, 'docker'), 0o755);
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  const kind = which('kind');
  const env = {
    ...process.env,
    PATH: `${dir}:${process.env.PATH ?? ''}`,
    REAL_DOCKER: which('docker'),
    DOCKER_CALLS: calls,
    KIND_EXPERIMENTAL_PROVIDER: 'docker',
  };
  if (spawnSync('docker', ['info'], { env: { ...env, PATH: process.env.PATH } }).status !== 0) {
    throw new Error(
      'no Docker engine answers `docker info`: kind needs one (tools/install.sh docker starts it)',
    );
  }
  const result = spawnSync(
    kind,
    ['create', 'cluster', '--name', clusterName, '--config', file, '--kubeconfig', join(dir, 'kubeconfig')],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  const recorded = readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean);
  console.log(
    `kind create cluster --config ${name}: exit ${result.status}\n${result.stderr}docker calls:\n  ${recorded.join('\n  ')}`,
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}`, calls: recorded };
}

const nodeImage = config.nodes[0]?.image ?? '';

describe('rehearsal/kind/cluster.yaml, run through kind', { tags: ['needs-docker'] }, () => {
  // Nothing is created (every call but info and ps is refused), so this finds nothing; it is here in case kind ever
  // gets further than the test expects. Bounded: kind deletes by label through `docker ps`, one call.
  afterAll(() => {
    const deleted = spawnSync(which('kind'), ['delete', 'cluster', '--name', clusterName], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(deleted.status).toBe(0);
    const left = spawnSync(
      'docker',
      ['ps', '-aq', '--filter', `label=io.x-k8s.kind.cluster=${clusterName}`],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(left.stdout.trim()).toBe('');
  });

  it(`is accepted by kind ${versions.KIND_VERSION}, which stops only at pulling the pinned node image`, () => {
    const version = spawnSync(which('kind'), ['version'], { encoding: 'utf8' }).stdout;
    expect(version).toMatch(new RegExp(`^kind ${versions.KIND_VERSION} `));

    const { code, output, calls } = kindCreate('ours', configText);
    expect(output).not.toMatch(/unable to decode config|invalid|unknown/i);
    // kind's own words for a failed node image pull (pkg/cluster/internal/providers/docker/images.go), then the
    // pull's output: the recording docker's refusal, where a hosted run would pull.
    expect(output).toContain(
      `ERROR: failed to create cluster: failed to pull image "${nodeImage}": ` +
        `command "docker pull ${nodeImage}" failed with error: exit status 1\n\n` +
        'Command Output: refused by the test: no node image is pulled',
    );
    expect(code).toBe(1);
    // Only questions before the pull: kind never got as far as a network or a node container.
    const pulls = calls.filter((call) => call === `pull ${nodeImage}`);
    expect(pulls.length).toBeGreaterThan(0);
    expect(
      calls.filter(
        (call) =>
          !/^(info|ps) /.test(call) && !call.startsWith('pull ') && !call.startsWith('inspect --type=image '),
      ),
    ).toEqual([]);
    // After the failed pull kind only looks for node containers to delete (ps) and finds none.
    expect(calls.filter((call) => !/^(info|ps) /.test(call)).at(-1)).toBe(`pull ${nodeImage}`);
  });

  it('is a real check: kind refuses a misspelt field and an invalid node before any pull', () => {
    const misspelt = kindCreate('misspelt', configText.replace(/^featureGates:/m, 'featureGate:'));
    expect(misspelt.code).toBe(1);
    expect(misspelt.output).toContain(
      'ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:\n' +
        '  line 12: field featureGate not found in type v1alpha4.Cluster',
    );
    expect(misspelt.calls.some((call) => call.startsWith('pull '))).toBe(false);

    const badRole = kindCreate('bad-role', configText.replace('role: control-plane', 'role: controlplane'));
    expect(badRole.code).toBe(1);
    expect(badRole.output).toContain(
      'ERROR: failed to create cluster: [invalid configuration for node 0: "controlplane" is not a valid node role',
    );
    expect(badRole.calls.some((call) => call.startsWith('pull '))).toBe(false);
  });
});

describe('rehearsal/kind/cluster.yaml', () => {
  it("pins one node image by digest, at the one-node cluster's Kubernetes minor", () => {
    expect(config.nodes).toHaveLength(1);
    expect(nodeImage).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    const minor = (version: string) => /^v(\d+\.\d+)\./.exec(version)?.[1];
    expect(minor(nodeImage.split(':')[1] ?? '')).toBe(minor(versions.KUBERNETES_CLUSTER_VERSION ?? ''));
  });

  it("enables the admission API of manifests/small-node.yaml, as rehearsal/up.sh's API server does", () => {
    const policy = readFileSync(join(repoRoot, 'rehearsal/manifests/small-node.yaml'), 'utf8');
    const apiVersions = [...new Set([...policy.matchAll(/^apiVersion: (.+)$/gm)].map((m) => m[1]))];
    expect(apiVersions).toEqual(['admissionregistration.k8s.io/v1beta1']);
    expect(config.runtimeConfig).toEqual({ 'admissionregistration.k8s.io/v1beta1': 'true' });
    expect(config.featureGates).toEqual({ MutatingAdmissionPolicy: true });
    const upSh = readFileSync(join(repoRoot, 'rehearsal/up.sh'), 'utf8');
    expect(upSh).toContain(
      '--feature-gates MutatingAdmissionPolicy=true --runtime-config admissionregistration.k8s.io/v1beta1=true',
    );
  });

  it('points containerd at the certs.d directory where rehearsal/kind/up.sh writes the registry hosts.toml', () => {
    const [patch] = config.containerdConfigPatches;
    expect(config.containerdConfigPatches).toHaveLength(1);
    const configPath = /config_path = "([^"]+)"/.exec(patch ?? '')?.[1];
    expect(configPath).toBe('/etc/containerd/certs.d');
    const upSh = readFileSync(join(repoRoot, 'rehearsal/kind/up.sh'), 'utf8');
    expect(upSh).toContain(`certs_d=${configPath}\n`);
  });
});
