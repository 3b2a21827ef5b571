import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_DIR } from './policy-dir.js';

// Every .vtc beside the chart's VCL runs with the real varnishtest binary (Debian's varnish 7.1).
const vtcFiles = readdirSync(POLICY_DIR)
  .filter((name) => name.endsWith('.vtc'))
  .sort();

function varnishtest(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile('varnishtest', ['-t', '60', join(POLICY_DIR, file)], (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error('varnishtest not found on PATH: run `tools/install.sh apt` (Debian package varnish)'),
        );
        return;
      }
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('VCL policy under varnishtest', () => {
  it('has at least 15 varnishtest cases beside the VCL', () => {
    expect(vtcFiles.length).toBeGreaterThanOrEqual(15);
  });

  describe.concurrent('cases', () => {
    for (const file of vtcFiles) {
      it(file.replace(/\.vtc$/, ''), async () => {
        const { code, output } = await varnishtest(file);
        // On failure, the tail of varnishtest's log names the failing expectation.
        expect(code, output.split('\n').slice(-60).join('\n')).toBe(0);
      });
    }
  });
});
