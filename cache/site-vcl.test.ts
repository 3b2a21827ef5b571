import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY_DIR } from './policy-dir.js';
import { renderSiteVcl } from './site-vcl.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

function compile(vcl: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    void mkdtemp(join(tmpdir(), 'site-vcl-')).then(async (dir) => {
      dirs.push(dir);
      const file = join(dir, 'site.vcl');
      await writeFile(file, vcl);
      const args = ['-C', '-j', 'none', '-n', join(dir, 'n'), '-p', `vcl_path=${POLICY_DIR}`, '-f', file];
      execFile('varnishd', args, (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new Error('varnishd not found on PATH: run `tools/install.sh apt` (Debian package varnish)'),
          );
          return;
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      });
    });
  });
}

const fiveLocalApis = [3001, 3002, 3003, 3004, 3005].map((port) => ({ host: '127.0.0.1', port }));

describe('site VCL', () => {
  it('renders five probed backends behind a round-robin director that varnishd -C compiles', async () => {
    const vcl = renderSiteVcl({ backends: fiveLocalApis, purgeAcl: ['127.0.0.1', '10.0.0.0/8', '::1'] });
    expect(vcl).toContain('api.add_backend(api_4);');
    expect(vcl).toContain('"10.0.0.0"/8;');
    const { code, output } = await compile(vcl);
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain('VGC_function_vcl_recv');
  });

  it('is rejected by varnishd -C when the policy is broken (the compile check can fail)', async () => {
    const vcl = renderSiteVcl({ backends: fiveLocalApis, purgeAcl: ['127.0.0.1'] }).replace(
      'include "policy.vcl";',
      'include "policy.vcl";\nsub vcl_recv { set req.no_such_field = "x"; }',
    );
    const { code } = await compile(vcl);
    expect(code).not.toBe(0);
  });

  it('refuses hosts and ACL entries that would inject VCL', () => {
    expect(() => renderSiteVcl({ backends: [{ host: 'a"; }', port: 1 }], purgeAcl: [] })).toThrow(/host/);
    expect(() => renderSiteVcl({ backends: fiveLocalApis, purgeAcl: ['10.0.0.0/8"; }'] })).toThrow(/ACL/);
    expect(() => renderSiteVcl({ backends: [], purgeAcl: [] })).toThrow(/backend/);
  });
});
