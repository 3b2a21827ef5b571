// @module-tag needs-docker
// What our images carry, read from the images themselves (issue 25 item 9): the API image has no compiler and no
// headers; the Varnish image has varnishd's C compiler only because the varnish package depends on it, and nothing
// beyond the dependencies of the three packages it installs; its scan policy (images/varnish/scan-policy.rego, run
// through Trivy's own filter: trivy-policy-check, tools/install.d/72) waives exactly that compiler's unfixed findings.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { varnishImage } from '../local-varnish/runtime.js';
import { REPO_ROOT, docker, requireDockerAndBases, timed } from './test/docker.js';
import { toolchainOnlyPackages } from './varnish/toolchain.js';

const API_IMAGE = 'maps-api/api:local';
const BASE_IMAGE = `maps-api/image-contents-base:${process.pid}`;
const OURS = ['prometheus-varnish-exporter', 'varnish', 'varnish-modules'];
const POLICY = join(REPO_ROOT, 'images/varnish/scan-policy.rego');
let varnish = '';
let basePackages: string[] = [];
let toolchain: string[] = [];

const inImage = (image: string, script: string) =>
  docker(['run', '--rm', '--user', '0', '--network', 'none', '--entrypoint', 'sh', image, '-c', script]);
const lines = (text: string) => text.split('\n').filter(Boolean).sort();

beforeAll(async () => {
  await requireDockerAndBases();
  await timed('build api image', () =>
    docker(['buildx', 'build', '-q', '-f', 'api/Dockerfile', '-t', API_IMAGE, '.'], 1_200_000),
  );
  varnish = await varnishImage();
  // The Varnish image's base exactly as its Dockerfile names it (offline: the stand-in, through images/docker.sh).
  const from = /^FROM (\S+)$/m.exec(readFileSync(join(REPO_ROOT, 'images/varnish/Dockerfile'), 'utf8'))?.[1];
  const context = await mkdtemp(join(tmpdir(), 'image-contents-'));
  try {
    await writeFile(join(context, 'Dockerfile'), `FROM ${from}\n`);
    await docker(['buildx', 'build', '-q', '-t', BASE_IMAGE, context], 600_000);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  basePackages = lines(await inImage(BASE_IMAGE, "dpkg-query -W -f '${Package}\\n'"));
  toolchain = await toolchainOnlyPackages(varnish, inImage, basePackages);
}, 1_800_000);

afterAll(async () => {
  await docker(['image', 'rm', BASE_IMAGE]).catch(() => undefined);
});

describe('the API image', () => {
  it('carries no compiler, assembler, linker or C headers, in its files or its package database', async () => {
    // No shell in the image: its own Node lists the root filesystem.
    const files = lines(
      await docker([
        'run',
        '--rm',
        '--user',
        '0',
        '--network',
        'none',
        '--entrypoint',
        '/nodejs/bin/node',
        API_IMAGE,
        '-e',
        LIST_FILES,
      ]),
    );
    expect(files).toContain('/nodejs/bin/node'); // the listing works
    const tools = files.filter((f) =>
      /^\/usr\/(local\/)?(s?bin|libexec)\/(cc|c\+\+|gcc|g\+\+|cpp|as|ld|ld\.bfd|ld\.gold|make|[a-z0-9_]+-linux-gnu-(gcc|g\+\+|cpp|as|ld)[-0-9.]*)$/.test(
        f,
      ),
    );
    const headers = files.filter((f) => /^\/usr\/(local\/)?include\//.test(f) || /\.h$/.test(f));
    const compilerDirs = files.filter((f) => /^\/usr\/(lib|libexec)\/gcc\//.test(f));
    // Distroless records its packages one file each under /var/lib/dpkg/status.d (the offline stand-in records none).
    const toolchainPackages = files
      .filter((f) => f.startsWith('/var/lib/dpkg/status.d/'))
      .map((f) => f.split('/').pop()!)
      .filter((p) => /^(gcc|cpp|g\+\+|binutils|libc6-dev|linux-libc-dev|libgcc-\d+-dev|make)\b/.test(p));
    expect({ tools, headers, compilerDirs, toolchainPackages }).toEqual({
      tools: [],
      headers: [],
      compilerDirs: [],
      toolchainPackages: [],
    });
  });
});

describe('the Varnish image', () => {
  it('adds to its Debian base exactly the three packages it names, and what they depend on (no Recommends)', async () => {
    const base = lines(await inImage(BASE_IMAGE, 'apt-mark showmanual'));
    const manual = lines(await inImage(varnish, 'apt-mark showmanual'));
    expect(manual.filter((p) => !base.includes(p))).toEqual(OURS);
    // apt would remove any package that nothing needs, or only a Recommends keeps: none.
    const autoremove = await inImage(
      varnish,
      'apt-get -s -o APT::AutoRemove::RecommendsImportant=false -o APT::AutoRemove::SuggestsImportant=false autoremove',
    );
    expect(autoremove).toMatch(/^0 upgraded, 0 newly installed, 0 to remove/m);
  });

  it('has a C compiler because the varnish package depends on one (varnishd compiles VCL when it starts)', async () => {
    const depends = await inImage(varnish, "dpkg-query -W -f '${Depends}' varnish");
    expect(depends).toMatch(/\bgcc-[a-z0-9_-]+-linux-gnu\b/);
    expect(depends).toMatch(/\bbinutils\b/);
    expect(depends).toMatch(/\blibc6-dev\b/);
    console.log(`[images] ${varnish}: toolchain only: ${toolchain.join(' ')}`);
    expect(toolchain).toContain('linux-libc-dev');
    expect(toolchain.some((p) => /^gcc-\d+-[a-z0-9_-]+-linux-gnu$/.test(p))).toBe(true);
    for (const runtime of ['libc6', 'libssl3t64', 'zlib1g', 'varnish', 'libvarnishapi3', 'libjemalloc2'])
      expect(toolchain, runtime).not.toContain(runtime);
  });
});

describe("the Varnish image's scan policy, through Trivy's own filter", () => {
  it('is checked with the Trivy version the pipeline scans with', () => {
    const goMod = readFileSync(join(REPO_ROOT, 'images/varnish/scan-policy-check/go.mod'), 'utf8');
    const filter = /^\s*github\.com\/aquasecurity\/trivy v(\S+)$/m.exec(goMod)?.[1];
    const images = readFileSync(join(REPO_ROOT, 'ci/src/images.ts'), 'utf8');
    const pipeline = /'docker\.io\/aquasec\/trivy:([^'@]+)'/.exec(images)?.[1];
    expect(filter).toMatch(/^\d+\.\d+\.\d+$/);
    expect(filter).toBe(pipeline);
  });

  it('waives unfixed findings in exactly the packages only the compiler needs, never a fixed one', async () => {
    const installed = lines(await inImage(varnish, "dpkg-query -W -f '${Package}\\n'"));
    // The arm64 variant's compiler packages carry their architecture in their names.
    const arm64 = toolchain.filter((p) => p.includes('x86-64')).map((p) => p.replace('x86-64', 'aarch64'));
    expect(arm64.length).toBeGreaterThan(1);
    const findings = [...installed, ...arm64].flatMap((name) => [
      finding(name, 'CVE-0000-0001', 'affected'),
      finding(name, 'CVE-0000-0002', 'will_not_fix'),
      finding(name, 'CVE-0000-0003', 'fixed', '99:1'),
    ]);
    const left = new Set(lines(await trivyFilter(findings)));
    const waived = findings.filter((f) => !left.has(`${f.PkgName} ${f.VulnerabilityID}`));
    expect([...new Set(waived.map((f) => f.PkgName))].sort()).toEqual([...toolchain, ...arm64].sort());
    expect(waived.filter((f) => f.Status === 'fixed')).toEqual([]);
    expect(waived).toHaveLength(2 * (toolchain.length + arm64.length));
  });
});

/** A Debian finding as Trivy reports it (types.DetectedVulnerability), HIGH so that the gate sees it. */
function finding(pkg: string, id: string, status: string, fixed = '') {
  return {
    VulnerabilityID: id,
    PkgName: pkg,
    InstalledVersion: '1.0-1',
    FixedVersion: fixed,
    Status: status,
    Severity: 'HIGH',
  };
}

/** Trivy's own filter (`--severity HIGH,CRITICAL --ignore-policy`) over one report: the findings it keeps. */
async function trivyFilter(findings: ReturnType<typeof finding>[]): Promise<string> {
  const report = {
    SchemaVersion: 2,
    ArtifactName: 'varnish.tar',
    ArtifactType: 'container_image',
    Results: [{ Target: 'varnish (debian 13)', Class: 'os-pkgs', Type: 'debian', Vulnerabilities: findings }],
  };
  const child = promisify(execFile)('trivy-policy-check', [POLICY], { maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin!.end(JSON.stringify(report));
  const { stdout } = await child.catch((error: Error) => {
    throw new Error(`trivy-policy-check (tools/install.sh trivy-policy): ${error.message}`, { cause: error });
  });
  return stdout;
}

// Every file and symlink of the image's root filesystem (the API image has Node, but no shell or find).
const LIST_FILES = `
const fs = require('fs');
const out = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const path = (dir === '/' ? '' : dir) + '/' + entry.name;
    if (['/proc', '/sys', '/dev'].includes(path)) continue;
    if (entry.isDirectory()) walk(path);
    else out.push(path);
  }
};
walk('/');
console.log(out.join('\\n'));
`;
