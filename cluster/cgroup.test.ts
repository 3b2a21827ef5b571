// cluster/up.sh decides on the machine's cgroups before it starts anything (cluster/cgroup.sh). The trees here are fake
// cgroup mounts: they drive the decision, they prove nothing about a real cgroup v2 host.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './lib/kube.js';

const scratch = mkdtempSync(join(tmpdir(), 'cgroup-check-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake cgroup mount: files written as given, directories for names ending in '/'. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) mkdirSync(join(root, path), { recursive: true });
    else {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
  }
  return root;
}

function check(root: string) {
  const result = spawnSync('bash', ['-c', 'source cluster/cgroup.sh && cgroup_check "$1"', 'check', root], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

const v1Hybrid = () =>
  tree('v1-hybrid', {
    'cpu/cgroup.procs': '1\n',
    'memory/cgroup.procs': '1\n',
    'pids/cgroup.procs': '1\n',
    'unified/cgroup.controllers': '',
  });
// What a Dagger exec or a `docker run` sees on a cgroup v2 host: its own cgroup as the namespace's root, processes in it.
const v2Container = () =>
  tree('v2-container', {
    'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
    'cgroup.subtree_control': '\n',
    'cgroup.type': 'domain\n',
    'cgroup.procs': '1\n17\n23\n',
  });
// The real root of a cgroup v2 host (systemd): no cgroup.type, controllers enabled for its children.
const v2Host = () =>
  tree('v2-host', {
    'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
    'cgroup.subtree_control': 'cpuset cpu io memory pids\n',
    'cgroup.procs': '1\n',
    'init.scope/': '',
  });

describe('the one-node cluster on the cgroups it finds', () => {
  it('starts on cgroup v1 (hybrid included), where .ci/run proves it', () => {
    expect(check(v1Hybrid())).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it("refuses a container's cgroup v2 namespace, naming the cause and kind", () => {
    const { code, stderr } = check(v2Container());
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cgroup v2 \(unified hierarchy at .*v2-container\)/);
    expect(stderr).toContain("container's cgroup namespace whose root holds 3 processes");
    expect(stderr).toContain('npm run rehearse -- --provider kind');
  });

  it('refuses a cgroup v2 host, where it was never proven', () => {
    const { code, stderr } = check(v2Host());
    expect(code).toBe(1);
    expect(stderr).toContain(
      'proven on cgroup v1 only (controllers here: cpuset cpu io memory hugetlb pids rdma misc)',
    );
    expect(stderr).toContain('npm run rehearse -- --provider kind');
  });

  it('up.sh stops within seconds on cgroup v2, before anything starts', () => {
    const tools = join(scratch, 'tools');
    const run = join(scratch, 'run');
    const started = Date.now();
    const result = spawnSync('bash', ['cluster/up.sh'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, CLUSTER_CGROUP_FS: v2Container(), MAPS_TOOLS_DIR: tools, CLUSTER_RUN: run },
    });
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stderr).toContain("container's cgroup namespace");
    expect(result.stderr).toContain('error: the one-node cluster cannot run on these cgroups');
    expect(existsSync(run)).toBe(false);
  });
});
