// @module-tag needs-docker
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_DIR } from './policy-dir.js';
import { runVarnishTool } from './runtime.js';

// Every .vtc beside the chart's VCL runs with production's varnishtest (the Varnish image, local-varnish/runtime.ts).
const vtcFiles = readdirSync(POLICY_DIR)
  .filter((name) => name.endsWith('.vtc'))
  .sort();

describe('VCL policy under varnishtest', () => {
  it('has at least 15 varnishtest cases beside the VCL', () => {
    expect(vtcFiles.length).toBeGreaterThanOrEqual(15);
  });

  describe.concurrent('cases', () => {
    for (const file of vtcFiles) {
      it(
        file.replace(/\.vtc$/, ''),
        async () => {
          // varnishtest's own limit below the test's: on a loaded machine a case with a few dozen requests can take
          // a minute (most take seconds).
          const { code, output } = await runVarnishTool(
            'varnishtest',
            ['-t', '120', join(POLICY_DIR, file)],
            {
              mounts: { readOnly: [POLICY_DIR] },
            },
          );
          // On failure, the tail of varnishtest's log names the failing expectation.
          expect(code, output.split('\n').slice(-60).join('\n')).toBe(0);
        },
        180_000,
      );
    }
  });
});
