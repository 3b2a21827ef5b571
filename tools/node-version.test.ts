/** One Node.js version everywhere: tools/versions.env NODE_VERSION is the source, every other pin must agree. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
// versions.env is sourced by bash (IMAGE_NODE_VERSION refers to NODE_VERSION), so bash reads it here too.
const fromVersionsEnv = (name: string) =>
  execFileSync('bash', ['-c', `set -a; source tools/versions.env; printf %s "$${name}"`], {
    cwd: repoRoot,
    encoding: 'utf8',
  });

const pinned = fromVersionsEnv('NODE_VERSION');
const major = Number(pinned.split('.')[0]);

function dockerfiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === 'Dockerfile')
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the pinned Node.js version', () => {
  it('is an exact release in tools/versions.env', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is the Node the offline image bases are built with', () => {
    expect(fromVersionsEnv('IMAGE_NODE_VERSION')).toBe(pinned);
  });

  it('is the nodejs Devbox installs', () => {
    const devbox = JSON.parse(read('devbox.json')) as { packages: Record<string, { version?: string }> };
    expect(devbox.packages.nodejs?.version).toBe(pinned);
  });

  it('is what .nvmrc and .node-version select', () => {
    expect(read('.nvmrc').trim()).toBe(pinned);
    expect(read('.node-version').trim()).toBe(pinned);
  });

  it("is the only major every package's engines accept", () => {
    for (const manifest of [
      'package.json',
      'api/package.json',
      'emulator/package.json',
      'replica/package.json',
      'ci/package.json',
    ]) {
      const { engines } = JSON.parse(read(manifest)) as { engines?: { node?: string } };
      expect({ manifest, node: engines?.node }).toEqual({ manifest, node: `>=${major} <${major + 1}` });
    }
  });

  it("is the Dagger runner's node image tag", () => {
    const tag = /node:\s*{\s*tag:\s*'([^']+)'/.exec(read('ci/src/images.ts'))?.[1];
    expect(tag).toBe(`docker.io/library/node:${pinned}-bookworm-slim`);
  });

  it('is the major of every Node base image our Dockerfiles name', () => {
    const nodeBases = [...dockerfiles('api'), ...dockerfiles('images')].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^FROM\s+(\S+)/gim)]
        .map((m) => m[1] ?? '')
        .filter((image) => /(^|\/)node:|nodejs\d/.test(image))
        .map((image) => ({ file: file.slice(repoRoot.length + 1), image })),
    );
    // api: build + prod-deps (node) and runtime (distroless nodejs); emulator: seed tools.
    expect(nodeBases.length).toBeGreaterThanOrEqual(4);
    for (const { file, image } of nodeBases) {
      const named = /node:(\d+(?:\.\d+\.\d+)?)|nodejs(\d+)/.exec(image);
      const version = named?.[1] ?? named?.[2];
      const expected = version?.includes('.') ? pinned : String(major);
      expect({ file, image, version }).toEqual({ file, image, version: expected });
    }
  });

  it('is the version the README tells people to put on PATH', () => {
    const named = [...read('README.md').matchAll(/node\/(\d+\.\d+\.\d+)\/bin|\((\d+\.\d+\.\d+)\)/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([pinned]));
  });

  it('runs this test suite (./dev puts it first on PATH)', () => {
    expect(
      process.versions.node,
      `npm test runs on Node ${process.versions.node}, pinned is ${pinned}: run tools/install.sh node and put ` +
        `$MAPS_TOOLS_DIR/node/${pinned}/bin first on PATH (as ./dev does), or use devbox run test`,
    ).toBe(pinned);
  });
});
