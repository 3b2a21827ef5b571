/** tools/install.sh prefers a tool already on PATH at the pinned version over building one, and says which it did. */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostVarnishVersion } from '../local-varnish/host-version.js';

const repoRoot = join(import.meta.dirname, '..');
const run = promisify(execFile);
let work = '';
let machineBin = '';
let toolsDir = '';

/** A program on the "machine's" PATH that prints a version line, as helm/kubeconform releases do. */
async function machineTool(name: string, versionLine: string) {
  await writeFile(join(machineBin, name), `#!/bin/sh\necho '${versionLine}'\n`);
  await chmod(join(machineBin, name), 0o755);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'install-on-path-'));
  machineBin = join(work, 'machine-bin');
  toolsDir = join(work, 'tools');
  await run('mkdir', ['-p', machineBin, join(toolsDir, 'bin'), join(work, 'home')]);
  // Any build would call go: on this PATH, go fails loudly, so a passing run proves nothing was built.
  await writeFile(join(machineBin, 'go'), '#!/bin/sh\necho "go must not run: $*" >&2\nexit 97\n');
  await chmod(join(machineBin, 'go'), 0o755);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// HOME is an empty directory: no step may need a particular home directory.
const env = () => ({
  ...process.env,
  HOME: join(work, 'home'),
  MAPS_TOOLS_DIR: toolsDir,
  PATH: `${machineBin}:${process.env.PATH ?? ''}`,
});

describe('tools/install.sh with tools already on PATH', () => {
  it('links helm and kubeconform at the pinned versions instead of building them, and says so', async () => {
    const versions = (
      await run('bash', ['-c', 'source tools/versions.env; echo "$HELM_VERSION $KUBECONFORM_VERSION"'], {
        cwd: repoRoot,
      })
    ).stdout
      .trim()
      .split(' ');
    await machineTool('helm', versions[0] ?? '');
    await machineTool('kubeconform', versions[1] ?? '');
    const { stdout } = await run('tools/install.sh', ['helm'], { cwd: repoRoot, env: env() });
    expect(stdout).toContain(
      `helm ${versions[0]?.slice(1)}: using ${join(machineBin, 'helm')} (on PATH, nothing built)`,
    );
    // kubeconform belongs to the chart checks (31-k8s-schemas), not to the stack's helm step.
    expect(stdout).not.toContain('kubeconform');
    const kubeconform = await run(
      'bash',
      [
        '-c',
        'source tools/versions.env; source tools/lib/go-tool.sh; install_go_tool kubeconform "$KUBECONFORM_VERSION" x -v',
      ],
      { cwd: repoRoot, env: { ...env(), REPO_ROOT: repoRoot } },
    );
    expect(kubeconform.stdout).toContain(
      `kubeconform ${versions[1]?.slice(1)}: using ${join(machineBin, 'kubeconform')}`,
    );
    expect(await readlink(join(toolsDir, 'bin', 'helm'))).toBe(join(machineBin, 'helm'));
  });

  it('builds (here: calls go) when the tool on PATH has another version, naming both versions', async () => {
    await machineTool('helm', 'v3.9.4');
    const result = await run(
      'bash',
      ['-c', 'source tools/lib/on-path.sh; use_from_path helm v3.22.0 version'],
      {
        cwd: repoRoot,
        env: env(),
      },
    ).catch((error: { code: number; stdout: string }) => error);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stdout).toContain(
      `helm on PATH (${join(machineBin, 'helm')}) is 3.9.4, pinned 3.22.0: building`,
    );
  });
});

describe('the install steps and the home directory', () => {
  it('name no fixed home directory (/root, /home/…, /Users/…)', async () => {
    const { stdout } = await run(
      'bash',
      [
        '-c',
        'grep -nE "(^|[^a-z])(/root|/home/|/Users/)" tools/install.sh tools/install.d/*.sh tools/lib/*.sh dev .ci/run || true',
      ],
      { cwd: repoRoot },
    );
    expect(stdout).toBe('');
  });

  it("find a pyenv-installed Python under $PYENV_ROOT when PATH's is too old", async () => {
    const pyenvRoot = join(work, 'pyenv');
    const python = join(pyenvRoot, 'versions', '3.13.9', 'bin', 'python3');
    await run('mkdir', ['-p', join(pyenvRoot, 'versions', '3.13.9', 'bin')]);
    // Answers the version check as a 3.13 would: sys.exit(sys.version_info < (3, 13)) exits 0.
    await writeFile(python, '#!/bin/sh\nexit 0\n');
    await chmod(python, 0o755);
    // PATH has only a python3 that fails the check (an older Python) and no python3.13/3.14.
    const oldPython = join(work, 'old-python');
    await run('mkdir', ['-p', oldPython]);
    await writeFile(join(oldPython, 'python3'), '#!/bin/sh\nexit 1\n');
    await chmod(join(oldPython, 'python3'), 0o755);
    const { stdout } = await run('bash', ['-c', 'source tools/lib/python.sh; find_python 13'], {
      cwd: repoRoot,
      env: { HOME: join(work, 'home'), PYENV_ROOT: pyenvRoot, PATH: `${oldPython}:/usr/bin:/bin` },
    });
    expect(stdout.trim()).toBe(python);
  });
});

describe("the emulator's Python", () => {
  it('is 3.13 exactly (local-bigquery: Requires-Python >=3.13,<3.14): a python3 that is 3.14 is passed over', async () => {
    const pythons = join(work, 'pythons');
    await mkdir(pythons, { recursive: true });
    // Each answers the version check as that version would (a real Python evaluates it with that version_info).
    const realPython = (await run('bash', ['-c', 'command -v python3'])).stdout.trim();
    for (const [name, version] of [
      ['python3', '(3, 14)'],
      ['python3.13', '(3, 13)'],
    ] as const) {
      await writeFile(
        join(pythons, name),
        `#!/bin/sh\nexec ${realPython} -c "import sys; sys.version_info = ${version}; exec(sys.argv[1])" "$2"\n`,
      );
      await chmod(join(pythons, name), 0o755);
    }
    const find = (args: string) =>
      run('bash', ['-c', `source tools/lib/python.sh; find_python ${args}`], {
        cwd: repoRoot,
        env: {
          HOME: join(work, 'home'),
          MAPS_TOOLS_DIR: join(work, 'no-tools'),
          PATH: `${pythons}:/usr/bin:/bin`,
        },
      }).then(({ stdout }) => stdout.trim());
    expect(await find('13 13')).toBe('python3.13');
    await rm(join(pythons, 'python3.13'));
    await expect(find('13 13')).rejects.toMatchObject({ code: 1 });
    expect(await find('13')).toBe('python3'); // checkov and others: 3.x or newer
  });
});

// A normal Debian user's PATH: no /usr/sbin, where Debian installs varnishd, nginx, dockerd and debootstrap.
const NORMAL_USER_PATH = '/usr/local/bin:/usr/bin:/bin';

describe('the system programs an install step takes from the distribution', () => {
  it("are linked into $MAPS_TOOLS_DIR/bin from where dpkg put them, so varnishtest starts varnishd on a normal user's PATH", async () => {
    const installed = (await run('dpkg', ['-L', 'varnish'])).stdout.split('\n');
    const varnishd = installed.find((file) => file.endsWith('/varnishd'));
    expect(varnishd).toMatch(/\/sbin\/varnishd$/); // the premise: not on NORMAL_USER_PATH
    const tools = join(work, 'apt-tools');
    const guard = join(work, 'no-apt');
    await mkdir(join(tools, 'bin'), { recursive: true });
    await mkdir(guard, { recursive: true });
    // varnish is installed here: asking apt (or sudo) for it again would mean the step did not find it.
    for (const name of ['apt-get', 'sudo']) {
      await writeFile(join(guard, name), `#!/bin/sh\necho "${name} must not run: $*" >&2\nexit 97\n`);
      await chmod(join(guard, name), 0o755);
    }
    const home = join(work, 'home');
    await run('bash', ['tools/install.d/10-apt.sh'], {
      cwd: repoRoot,
      env: { HOME: home, MAPS_TOOLS_DIR: tools, REPO_ROOT: repoRoot, PATH: `${guard}:${NORMAL_USER_PATH}` },
    });
    expect(await readlink(join(tools, 'bin', 'varnishd'))).toBe(varnishd);

    // varnishtest starts varnishd with `exec varnishd` through /bin/sh: found only through the tools directory.
    const vtc = join(work, 'varnishd-on-path.vtc');
    await writeFile(
      vtc,
      [
        'varnishtest "varnishd found through $MAPS_TOOLS_DIR/bin"',
        'server s1 {\n\trxreq\n\ttxresp -body "ok"\n} -start',
        'varnish v1 -vcl+backend {} -start',
        'client c1 {\n\ttxreq\n\trxresp\n\texpect resp.status == 200\n} -run',
        '',
      ].join('\n'),
    );
    await run('varnishtest', ['-q', vtc], {
      env: { HOME: home, PATH: `${join(tools, 'bin')}:${NORMAL_USER_PATH}` },
    });

    // The local stack without Docker runs this machine's varnishd (local-varnish/runtime.ts) and finds it the same way.
    const path = process.env.PATH;
    process.env.PATH = `${join(tools, 'bin')}:${NORMAL_USER_PATH}`;
    try {
      const dpkgVersion = (await run('dpkg-query', ['-W', '-f', '${Version}', 'varnish'])).stdout;
      expect(dpkgVersion.startsWith(hostVarnishVersion() ?? 'none')).toBe(true);
    } finally {
      process.env.PATH = path;
    }
  });
});
