/**
 * One list of tool versions (tools/versions.env): the module's images and tool builds, tools/install.sh and Devbox
 * (test/devbox.test.ts) must agree with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES } from '../src/images.ts';
import { repoRoot } from './support/workflows.ts';

const versions = Object.fromEntries(
  readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8')
    .split('\n')
    .filter((l) => /^\w+=/.test(l))
    .map((l) => l.split('=') as [string, string]),
);
const tagVersion = (tag: string) => `v${tag.slice(tag.lastIndexOf(':') + 1)}`;

describe('tool versions agree with tools/versions.env', () => {
  it('runs a terraform image of the pinned version (plan and apply need its gcs backend)', () => {
    expect(tagVersion(IMAGES.terraform.tag)).toBe(versions.TERRAFORM_VERSION);
  });

  it('pulls no helm or actionlint image: both come from the toolbox, built by their install steps', () => {
    expect(Object.values(IMAGES).filter((image) => /helm|actionlint/.test(image.tag))).toEqual([]);
    const step = readFileSync(join(repoRoot, 'tools/install.d/30-helm.sh'), 'utf8');
    expect(step).toMatch(/install_go_tool helm "\$HELM_VERSION" helm\.sh\/helm\/v3\/cmd\/helm/);
    expect(readFileSync(join(repoRoot, 'ci/src/toolbox.ts'), 'utf8')).toContain(
      'file(`${TOOLS_DIR}/bin/helm`)',
    );
  });

  it("builds the toolbox's helm with a Go new enough for its go.mod (helm >= 3.22 needs Go >= 1.26)", () => {
    const [major, minor] = (versions.HELM_VERSION ?? '').replace(/^v/, '').split('.').map(Number);
    const [goMajor, goMinor] = (versions.GO_VERSION ?? '').split('.').map(Number);
    expect(major).toBe(3);
    if ((minor ?? 0) >= 22) expect((goMajor ?? 0) * 100 + (goMinor ?? 0)).toBeGreaterThanOrEqual(126);
  });

  it('pins helm at a version whose Kubernetes range includes the chart kubeVersion (>= 1.34)', () => {
    const chart = readFileSync(join(repoRoot, 'charts/maps-api/Chart.yaml'), 'utf8');
    expect(chart).toMatch(/kubeVersion: ['"]?>=\s*1\.34/);
    // helm 3.N templates for client-go 0.(N+15): 3.22 → Kubernetes 1.37 (tools/install.d/30-helm.sh reads it).
    const minor = Number((versions.HELM_VERSION ?? '').split('.')[1]);
    expect(minor + 15).toBeGreaterThanOrEqual(34);
  });
});
