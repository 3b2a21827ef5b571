// One Varnish everywhere (issue 30): production's image, CI's varnishtest and every test's varnishd, the bench, the
// rehearsal, compose and the pipeline all run images/varnish, whose series tools/versions.env pins; Devbox pins the
// same series. Fails when any of them would run another Varnish.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pinned, runVarnishTool, varnishRuntime } from './runtime.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const series = pinned('VARNISH_SERIES');
const modulesSeries = pinned('VARNISH_MODULES_SERIES');

const VSTHROTTLE_VTC = `varnishtest "varnish-modules' vsthrottle loads"
varnish v1 -vcl {
    import vsthrottle;
    backend none none;
    sub vcl_recv {
        if (vsthrottle.is_denied("k", 1, 60s)) { return (synth(429)); }
        return (synth(200));
    }
} -start
client c1 {
    txreq
    rxresp
    expect resp.status == 200
    txreq
    rxresp
    expect resp.status == 429
} -run
`;

/** Every TypeScript file of the repo outside node_modules (and dist). */
function sourceFiles(dir = REPO): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['node_modules', 'dist', '.git', '.devbox'].includes(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('one Varnish version', () => {
  it('the image installs the pinned series from Debian 13 (the build fails on another one)', () => {
    const dockerfile = read('images/varnish/Dockerfile');
    expect(dockerfile).toMatch(/^FROM debian:trixie-slim$/m);
    expect(dockerfile).toContain(`ARG VARNISH_SERIES=${series}\n`);
    expect(dockerfile).toContain(`ARG VARNISH_MODULES_SERIES=${modulesSeries}\n`);
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends varnish varnish-modules /);
  });

  it(
    'the image runs that series, with vsthrottle, and so does every test here (varnishd and varnishtest)',
    { tags: ['needs-docker'] },
    async () => {
      const runtime = await varnishRuntime();
      expect(runtime.kind).toBe('image');
      expect(runtime.version.startsWith(`${series}.`), runtime.version).toBe(true);
      const version = await runVarnishTool('varnishd', ['-V']);
      expect(version.output).toContain(`(varnish-${series}.`);
      // varnishtest of the same image, proving varnish-modules load: a case that imports vsthrottle and uses it.
      const dir = await mkdtemp(join(tmpdir(), 'one-varnish-'));
      try {
        await writeFile(join(dir, 'vsthrottle.vtc'), VSTHROTTLE_VTC);
        const vtc = await runVarnishTool('varnishtest', [join(dir, 'vsthrottle.vtc')], {
          mounts: { readOnly: [dir] },
        });
        expect(vtc.code, vtc.output.slice(-2000)).toBe(0);
        expect(vtc.output).toContain('passed');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const modules = await runVarnishTool('dpkg-query', ['-W', '-f', '${Version}', 'varnish-modules']);
      expect(modules.output.startsWith(`${modulesSeries}.`), modules.output).toBe(true);
    },
  );

  it('the rehearsal, compose, the pipeline and the chart build or name that image', () => {
    expect(read('rehearsal/lib/images.ts')).toContain(`tag('varnish'), 'images/varnish'`);
    const compose = parse(read('compose.yaml')) as {
      services: Record<string, { build?: { context: string } }>;
    };
    expect(compose.services['varnish']?.build?.context).toBe('images/varnish');
    expect(read('ci/src/artifacts.ts')).toContain(`dockerfile: 'images/varnish/Dockerfile'`);
    expect(read('ci/src/index.ts')).toContain(`dockerBuild({ dockerfile: 'images/varnish/Dockerfile' })`);
  });

  it('the benches measure the image', () => {
    for (const bench of ['bench/cache/run.ts', 'bench/cache/profile.ts']) {
      expect(read(bench), bench).toContain(`process.env.MAPS_VARNISH_RUNTIME = 'image';`);
      expect(read(bench), bench).not.toMatch(/runtime: 'host'/);
    }
  });

  it('tests run the image: vitest sets MAPS_VARNISH_RUNTIME=image', () => {
    expect(process.env.MAPS_VARNISH_RUNTIME).toBe('image');
  });

  it('no code runs a Varnish program but through local-varnish/runtime.ts', () => {
    const direct =
      /(spawn|execFile|execFileSync|spawnSync|run)\(\s*['"](varnishd|varnishtest|varnishadm|varnishstat|varnishlog|prometheus-varnish-exporter)['"]/;
    const offenders = sourceFiles()
      // runtime.ts (and host-version.ts, its varnishd -V) is the one place; tools/ tests check the install steps of the host fallback itself (a machine
      // without Docker), whose programs are the host's by definition.
      .filter(
        (file) =>
          !/local-varnish\/(runtime|host-version)\.ts$/.test(file) && !file.endsWith('one-varnish.test.ts'),
      )
      .filter((file) => !relative(REPO, file).startsWith('tools/'))
      .filter((file) => direct.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO, file));
    expect(offenders).toEqual([]);
  });

  it('Devbox (macOS) pins the same series', () => {
    const devbox = JSON.parse(read('devbox.json')) as { packages: Record<string, { version?: string }> };
    expect(devbox.packages['varnish']?.version?.startsWith(`${series}.`)).toBe(true);
  });
});
