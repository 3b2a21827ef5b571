/** tools/install.sh prefers a tool already on PATH at the pinned version over building one, and says which it did. */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
  await run('mkdir', ['-p', machineBin, join(toolsDir, 'bin')]);
  // Any build would call go: on this PATH, go fails loudly, so a passing run proves nothing was built.
  await writeFile(join(machineBin, 'go'), '#!/bin/sh\necho "go must not run: $*" >&2\nexit 97\n');
  await chmod(join(machineBin, 'go'), 0o755);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const env = () => ({
  ...process.env,
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
    expect(stdout).toContain(
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
