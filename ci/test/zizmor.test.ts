/** zizmor (tools/install.d/62-zizmor.sh, pinned in tools/versions.env) over .github/workflows, offline, default persona. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, workflowDir } from './support/workflows.ts';

interface Finding {
  ident: string;
  determinations: { severity: string };
}

function zizmor(target: string): { findings: Finding[]; status: number | null; stderr: string } {
  const result = spawnSync('zizmor', ['--offline', '--format', 'json', '--no-progress', target], {
    encoding: 'utf8',
  });
  if (result.error) {
    throw new Error(`zizmor not runnable (${result.error.message}): run tools/install.sh 62-zizmor`);
  }
  return {
    findings: JSON.parse(result.stdout || '[]') as Finding[],
    status: result.status,
    stderr: result.stderr,
  };
}

describe('zizmor', () => {
  it('is the version tools/versions.env pins', () => {
    const pinned = /^ZIZMOR_VERSION=(.+)$/m.exec(
      readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8'),
    )?.[1];
    expect(spawnSync('zizmor', ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`zizmor ${pinned}`);
  });

  it('finds nothing in the workflows at its default persona', () => {
    const { findings, status, stderr } = zizmor(workflowDir);
    expect(
      findings.map((f) => `${f.ident} (${f.determinations.severity})`),
      stderr,
    ).toEqual([]);
    expect(status).toBe(0);
  });

  it('is really checking: it flags a persisted checkout token and a template expansion in a run step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zizmor-'));
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    const bad = [
      'on:',
      '  workflow_dispatch:',
      '    inputs:',
      '      name: { type: string }',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      '      - run: echo "${{ inputs.name }}"',
      '',
    ].join('\n');
    writeFileSync(join(dir, '.github/workflows/bad.yml'), bad);
    const { findings, status } = zizmor(join(dir, '.github/workflows'));
    expect(findings.map((f) => f.ident).sort()).toEqual(['artipacked', 'template-injection']);
    expect(status).not.toBe(0);
  });
});
