// tools/lib/cgroup.sh decides, before 51-docker starts dockerd without systemd, whether the cgroup v2 controllers must
// be delegated (GitHub's runners, Docker Desktop, a Dagger exec there). A fake cgroup root proves the decision and the
// writes it makes; that dockerd then runs on cgroup v2 only a real v2 host shows (docs/ci-cd.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');

function delegate(root: string) {
  return spawnSync('bash', ['-c', `source tools/lib/cgroup.sh && cgroup_v2_delegate "${root}"`], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cgroup-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

describe('cgroup v2 delegation before dockerd starts', () => {
  it('does nothing on cgroup v1 (no cgroup.controllers at the root), as on this machine', () => {
    const root = fakeRoot({ tasks: '1\n' });
    const result = delegate(root);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cgroup v1');
    expect(existsSync(join(root, 'init'))).toBe(false);
  });

  it("moves every process of a v2 namespace root into init/ and enables all the root's controllers", () => {
    const root = fakeRoot({
      'cgroup.controllers': 'cpuset cpu io memory pids\n',
      'cgroup.subtree_control': '',
      'cgroup.procs': '1\n17\n42\n',
    });
    const result = delegate(root);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(root, 'init/cgroup.procs'), 'utf8')).toBe('1\n17\n42\n');
    expect(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8')).toBe(
      '+cpuset +cpu +io +memory +pids\n',
    );
    expect(result.stdout).toContain('delegated cpuset cpu io memory pids');
  });

  it('leaves a root whose controllers are already delegated alone (a host with systemd, a second start)', () => {
    const root = fakeRoot({
      'cgroup.controllers': 'cpu memory pids\n',
      'cgroup.subtree_control': 'cpu memory pids\n',
      'cgroup.procs': '1\n',
    });
    const result = delegate(root);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('already delegated');
    expect(existsSync(join(root, 'init'))).toBe(false);
  });

  it('stops with the cause when the controllers cannot be enabled', () => {
    const root = fakeRoot({ 'cgroup.controllers': 'cpu memory\n', 'cgroup.procs': '1\n' });
    mkdirSync(join(root, 'cgroup.subtree_control')); // a write that fails, as EBUSY or a read-only cgroupfs would
    const result = delegate(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/could not enable cpu memory .*the engine's containers would not start/s);
  });

  it('runs in 51-docker before dockerd is started without systemd', () => {
    const step = readFileSync(join(repoRoot, 'tools/install.d/51-docker.sh'), 'utf8');
    const delegation = step.indexOf('cgroup_v2_delegate /sys/fs/cgroup');
    expect(delegation).toBeGreaterThan(step.indexOf('systemctl start docker'));
    expect(delegation).toBeLessThan(step.indexOf('setsid nohup dockerd'));
  });
});
