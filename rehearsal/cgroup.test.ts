// rehearsal/up.sh readies the machine's cgroups before it starts anything (rehearsal/cgroup.sh). The trees here are fake
// cgroup mounts: they drive the decisions and show what is written; a real cgroup v2 kernel was a VM (rehearsal/README.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function prepare(root: string) {
  const script = 'source rehearsal/cgroup.sh && cgroup_prepare "$1" maps-rehearsal';
  const result = spawnSync('bash', ['-c', script, 'prepare', root], { cwd: repoRoot, encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const controllers = 'cpuset cpu io memory hugetlb pids rdma misc\n';

const v1Hybrid = () =>
  tree('v1-hybrid', {
    'cpu/cgroup.procs': '1\n',
    'memory/cgroup.procs': '1\n',
    'pids/cgroup.procs': '1\n',
    'unified/cgroup.controllers': '',
  });
// What a Dagger exec or a `docker run` sees on a cgroup v2 host: its own cgroup as its namespace's root (only a non-root
// cgroup has cgroup.type). In a fake tree a pid written elsewhere stays in cgroup.procs: a move the kernel refused.
const v2Container = (name: string, procs: string, extra: Record<string, string> = {}) =>
  tree(name, {
    'cgroup.controllers': controllers,
    'cgroup.subtree_control': '\n',
    'cgroup.type': 'domain\n',
    'cgroup.procs': procs,
    ...extra,
  });

describe('the one-node cluster on the cgroups it finds', () => {
  it('leaves cgroup v1 (hybrid included) to up.sh, where .ci/run proves it', () => {
    const root = v1Hybrid();
    expect(prepare(root)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(root, 'maps-rehearsal'))).toBe(false);
  });

  it('on cgroup v2 moves the processes out of the root, then enables every controller for the pods', () => {
    // The kernel emptied the root's cgroup.procs when its processes moved to init/ (the fake starts empty) and gives
    // every new cgroup its parent's enabled controllers (written here in advance).
    const root = v2Container('v2-moved', '', { 'maps-rehearsal/cgroup.controllers': controllers });
    expect(prepare(root)).toEqual({ code: 0, stdout: '', stderr: '' });
    const enabled = '+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc\n';
    expect(read(root, 'cgroup.subtree_control')).toBe(enabled);
    expect(read(root, 'maps-rehearsal/cgroup.subtree_control')).toBe(enabled);
  });

  it("on a cgroup v2 host's own root enables the controllers and moves nothing", () => {
    const root = tree('v2-host', {
      'cgroup.controllers': controllers,
      'cgroup.subtree_control': 'cpu memory pids\n',
      'cgroup.procs': '1\n',
      'maps-rehearsal/cgroup.controllers': controllers,
    });
    expect(prepare(root)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(root, 'init'))).toBe(false);
    expect(read(root, 'maps-rehearsal/cgroup.subtree_control')).toBe(
      '+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc\n',
    );
  });

  it('moves each process of a namespace root into init/, and refuses when one stays', () => {
    const root = v2Container('v2-stuck', '1\n17\n23\n');
    const { code, stderr } = prepare(root);
    expect(read(root, 'init/cgroup.procs')).toBe('1\n17\n23\n');
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^cgroup v2 \(unified hierarchy at .*v2-stuck\): its processes \(3\) could not be moved/,
    );
    expect(stderr).toContain('npm run rehearse -- --provider kind');
  });

  it('refuses a cgroup v2 container without the memory controller, naming it', () => {
    const root = v2Container('v2-no-memory', '', { 'cgroup.controllers': 'cpuset cpu io pids\n' });
    const { code, stderr } = prepare(root);
    expect(code).toBe(1);
    expect(stderr).toContain('the memory controller(s) are not delegated to this cgroup');
    expect(stderr).toContain('npm run rehearse -- --provider kind');
  });

  it('up.sh stops within seconds when the cgroups cannot be readied, before anything starts', () => {
    const tools = join(scratch, 'tools');
    const run = join(scratch, 'run');
    const started = Date.now();
    const result = spawnSync('bash', ['rehearsal/up.sh'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        ...process.env,
        CLUSTER_CGROUP_FS: v2Container('v2-for-up', '5\n'),
        MAPS_TOOLS_DIR: tools,
        CLUSTER_RUN: run,
      },
    });
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stderr).toContain('its processes (1) could not be moved');
    expect(result.stderr).toContain('error: the one-node cluster cannot run on these cgroups');
    expect(existsSync(run)).toBe(false);
  });
});
