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
  it('runs terraform and actionlint images of the pinned versions', () => {
    expect(tagVersion(IMAGES.terraform.tag)).toBe(versions.TERRAFORM_VERSION);
    expect(tagVersion(IMAGES.actionlint.tag)).toBe(versions.ACTIONLINT_VERSION);
  });

  it('pulls no helm image: helm is built by tools/install.d/30-helm.sh at HELM_VERSION (ci/src/toolbox.ts)', () => {
    expect(Object.values(IMAGES).filter((image) => /helm/.test(image.tag))).toEqual([]);
    const step = readFileSync(join(repoRoot, 'tools/install.d/30-helm.sh'), 'utf8');
    expect(step).toMatch(/install_go_tool helm "\$HELM_VERSION" helm\.sh\/helm\/v3\/cmd\/helm/);
    expect(readFileSync(join(repoRoot, 'ci/src/toolbox.ts'), 'utf8')).toContain(
      "withExec(['bash', 'tools/install.sh', '30-helm'])",
    );
  });

  it('builds helm with a Go new enough for its go.mod (helm >= 3.22 needs Go >= 1.26)', () => {
    const [major, minor] = (versions.HELM_VERSION ?? '').replace(/^v/, '').split('.').map(Number);
    const go = /golang:(\d+)\.(\d+)/.exec(IMAGES.golang.tag);
    expect(major).toBe(3);
    if ((minor ?? 0) >= 22) expect(Number(go?.[1]) * 100 + Number(go?.[2])).toBeGreaterThanOrEqual(126);
  });

  it('pins helm at a version whose Kubernetes range includes the chart kubeVersion (>= 1.34)', () => {
    const chart = readFileSync(join(repoRoot, 'charts/maps-api/Chart.yaml'), 'utf8');
    expect(chart).toMatch(/kubeVersion: ['"]?>=\s*1\.34/);
    // helm 3.N templates for client-go 0.(N+15): 3.22 → Kubernetes 1.37 (tools/install.d/30-helm.sh reads it).
    const minor = Number((versions.HELM_VERSION ?? '').split('.')[1]);
    expect(minor + 15).toBeGreaterThanOrEqual(34);
  });
});
