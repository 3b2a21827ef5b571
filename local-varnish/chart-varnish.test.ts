// The local launchers run Varnish from what the chart renders: these prove that rendering is usable outside the
// cluster (it compiles with five local backends), that it carries the chart's storage formula and parameters, and
// that startVarnish really runs varnishd with them.
// @module-tag needs-docker
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@maps-api/emulator';
import { renderChartVarnish, type Environment } from './chart-varnish.js';
import { POLICY_DIR } from './policy-dir.js';
import { runVarnishTool } from './runtime.js';
import { startVarnish } from './varnish.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chart-varnish-'));
  dirs.push(dir);
  return dir;
}

const fiveLocalApis = [3001, 3002, 3003, 3004, 3005].map((port) => ({ host: '127.0.0.1', port }));

/** `varnishd -C`: compiles the site file against the chart's policy directory. */
async function compile(vcl: string): Promise<{ code: number; output: string }> {
  const dir = await tempDir();
  await writeFile(join(dir, 'site.vcl'), vcl);
  const args = [
    '-C',
    '-j',
    'none',
    '-n',
    join(dir, 'n'),
    '-p',
    `vcl_path=${POLICY_DIR}`,
    '-f',
    join(dir, 'site.vcl'),
  ];
  return runVarnishTool('varnishd', args, { mounts: { readOnly: [POLICY_DIR], writable: [dir] } });
}

describe('the chart-rendered site VCL outside the cluster', () => {
  it('renders five probed backends behind the round-robin director, which varnishd -C compiles', async () => {
    const { siteVcl } = renderChartVarnish({ backends: fiveLocalApis, purgers: ['10.0.0.0/8'] });
    expect(siteVcl).toContain('api.add_backend(api_4);');
    expect(siteVcl.match(/\.between_bytes_timeout = 10s;/g)).toHaveLength(5);
    // One process per backend: its own probe verdict, sick after 3 failures out of 5.
    expect(siteVcl.match(/\.probe = healthz;/g)).toHaveLength(5);
    expect(siteVcl).toContain('.threshold = 3;');
    expect(siteVcl).toContain('"10.0.0.0"/8;');
    const { code, output } = await compile(siteVcl);
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain('VGC_function_vcl_recv');
  });

  it('is rejected by varnishd -C when the policy is broken (the compile check can fail)', async () => {
    const { siteVcl } = renderChartVarnish({ backends: fiveLocalApis });
    const broken = siteVcl.replace(
      'include "policy.vcl";',
      'include "policy.vcl";\nsub vcl_recv { set req.no_such_field = "x"; }',
    );
    expect((await compile(broken)).code).not.toBe(0);
  });

  it("refuses (through the chart's schema) hosts and purgers that would inject VCL", () => {
    expect(() => renderChartVarnish({ backends: [{ host: 'a"; }', port: 1 }] })).toThrow(/host/);
    expect(() => renderChartVarnish({ backends: fiveLocalApis, purgers: ['10.0.0.0/8"; }'] })).toThrow(
      /purgers/,
    );
    expect(() => renderChartVarnish({ backends: [] })).toThrow(/backend/);
  });
});

describe("the chart's storage and parameters", () => {
  // values.yaml varnish.storage: usable = memoryLimitMi - overheadMi; malloc 75 %, Transient 10 % of usable.
  it.each([
    ['dev', 288, 38],
    ['staging', 672, 89],
    ['production', 2880, 384],
  ] as [Environment, number, number][])(
    '%s: malloc %d MiB, Transient %d MiB',
    (environment, malloc, transient) => {
      const chart = renderChartVarnish({ environment, backends: fiveLocalApis });
      expect({ mallocMb: chart.mallocMb, transientMb: chart.transientMb }).toEqual({
        mallocMb: malloc,
        transientMb: transient,
      });
      expect(chart.params).toMatchObject({ thread_pool_min: '50', thread_pool_max: '1000' });
      expect(chart.params).not.toHaveProperty('vcl_path');
    },
  );

  it('startVarnish runs varnishd with exactly those sizes and parameters', async () => {
    const chart = renderChartVarnish({ environment: 'dev', backends: [{ host: '127.0.0.1', port: 9 }] });
    const varnish = await startVarnish({
      backends: [{ host: '127.0.0.1', port: 9 }],
      listenPort: await freePort(),
      workDir: await tempDir(),
    });
    try {
      const counters = await varnish.counters();
      expect(counters['SMA.s0.g_space']! + counters['SMA.s0.g_bytes']!).toBe(chart.mallocMb * 1024 * 1024);
      expect(counters['SMA.Transient.g_space']! + counters['SMA.Transient.g_bytes']!).toBe(
        chart.transientMb * 1024 * 1024,
      );
      for (const [name, value] of Object.entries(chart.params)) {
        const stdout = await varnish.adm('param.show', name);
        const shown = new RegExp(`^${name}\\s+Value is: (\\S+)`, 'm').exec(stdout)?.[1] ?? '';
        // A bit field (vsl_mask "-Debug,…") is shown in tag order, relative to `all` (Varnish 7.7): compare sets.
        const bits = (text: string) =>
          text
            .split(',')
            .filter((bit) => bit !== 'all')
            .sort();
        if (value.startsWith('-')) expect(bits(shown), name).toEqual(bits(value));
        else expect(shown, name).toBe(value);
      }
      const stdout = await varnish.adm('vcl.show', '-v', 'boot');
      expect(stdout).toContain(chart.siteVcl.trim().split('\n').slice(0, 4).join('\n'));
    } finally {
      await varnish.stop();
    }
  });
});
