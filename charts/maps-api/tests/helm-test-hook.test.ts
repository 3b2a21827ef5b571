// Runs the chart's own Varnish setup locally: the rendered VCL ConfigMap and varnishd arguments, a stand-in API,
// then the helm test pod's exact command (varnishtest + the rendered .vtc), rewritten only for local addresses. Both
// run in production's Varnish image (local-varnish/runtime.ts), as they do in the cluster.
// @module-tag needs-docker
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runVarnishTool,
  spawnVarnishProcess,
  varnishRuntime,
  type RuntimeProcess,
} from '../../../local-varnish/runtime.js';
import { apiName, find, render, varnishName } from './chart.js';

const objects = render('dev');
const tile = gzipSync(Buffer.from('a vector tile'));
let tileRequests = 0;
let api: Server;
let varnishd: ChildProcess | undefined;
let varnishProcess: RuntimeProcess | undefined;
let varnishLog = '';
let varnishPort = 0;
const work = mkdtempSync(join(tmpdir(), 'maps-api-helm-test-'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (varnishd?.exitCode !== null) throw new Error(`varnishd exited:\n${varnishLog}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`varnishd did not listen on ${port}:\n${varnishLog}`);
}

/** Runs the pod's shell command in the Varnish image without blocking this process (the stand-in API lives in it). */
async function shell(script: string): Promise<{ status: number; output: string }> {
  const { code, output } = await runVarnishTool('sh', ['-c', script], {
    mounts: { readOnly: [work] },
    network: 'host',
  });
  return { status: code, output };
}

/** The helm test pod's shell command, pointed at the local Varnish and a local copy of its .vtc ConfigMap. */
function helmTestCommand(): string {
  const testConfigMap = find(objects, 'ConfigMap', 'maps-api-test-cache');
  const testsDir = join(work, 'tests');
  mkdirSync(testsDir, { recursive: true });
  for (const [name, text] of Object.entries(testConfigMap.data as Record<string, string>)) {
    writeFileSync(join(testsDir, name), text);
  }
  const pod = find(objects, 'Pod', 'maps-api-test-cache');
  expect(pod.spec.containers[0].command).toEqual(['sh', '-c']);
  const script = pod.spec.containers[0].args[0] as string;
  return (
    script
      // A host name, resolved by varnishtest as the Service name is in the cluster.
      .replace(`varnish_host=${varnishName}`, 'varnish_host=localhost')
      .replace('varnish_port=8080', `varnish_port=${varnishPort}`)
      .replace('/tests/', `${testsDir}/`)
  );
}

beforeAll(async () => {
  api = createServer((req, res) => {
    if (req.url === '/healthz') return void res.end('ok');
    if (req.url?.startsWith('/maps/tileset/')) {
      tileRequests += 1;
      // Like the API: no tile at most zoom-20 positions (the sample tileset stops well before that zoom).
      if (/\/20\/\d+\/\d+$/.test(req.url))
        return void res.writeHead(204, { 'Cache-Control': 'public, max-age=300' }).end();
      res.writeHead(200, {
        'Content-Type': 'application/vnd.mapbox-vector-tile',
        'Content-Encoding': 'gzip',
        'Cache-Control': 'public, max-age=300',
      });
      return void res.end(tile);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiPort = (api.address() as AddressInfo).port;

  const vclDir = join(work, 'vcl');
  mkdirSync(vclDir);
  const vcl = find(objects, 'ConfigMap', `${varnishName}-vcl`).data as Record<string, string>;
  for (const [name, text] of Object.entries(vcl)) writeFileSync(join(vclDir, name), text);
  const site = vcl['site.vcl']!.replace(`.host = "${apiName}";`, '.host = "127.0.0.1";');
  writeFileSync(join(vclDir, 'site.vcl'), site.replace('.port = "3000";', `.port = "${apiPort}";`));

  varnishPort = await freePort();
  const container = find(objects, 'Deployment', varnishName).spec.template.spec.containers[0];
  const args = (container.args as string[]).map((arg) =>
    arg
      .replace('http=:8080', `http=127.0.0.1:${varnishPort}`)
      .replace('/var/lib/varnish/varnishd', join(work, 'varnishd'))
      .replaceAll('/etc/varnish/maps-api', vclDir),
  );
  varnishProcess = await spawnVarnishProcess(await varnishRuntime(), 'varnishd', args, {
    mounts: { readOnly: [vclDir], writable: [work] },
  });
  varnishd = varnishProcess.child;
  varnishd.stdout?.on('data', (d) => (varnishLog += d));
  varnishd.stderr?.on('data', (d) => (varnishLog += d));
  await waitForPort(varnishPort, 60_000);
});

afterAll(async () => {
  await varnishProcess?.stop();
  await new Promise((resolve) => api?.close(resolve));
});

describe('the helm test hook, run against the chart-rendered Varnish', () => {
  it('passes: a new tile is a MISS through Varnish, then a HIT, and the configured tile is served', async () => {
    const result = await shell(helmTestCommand());
    expect(result.output).toMatch(/#\s+top\s+TEST \S+ passed/);
    expect(result.status, result.output).toBe(0);
    // The random tile once, the configured tile once.
    expect(tileRequests).toBe(2);
  });

  it('passes again on a rerun, because each run asks for a tile nobody cached yet (the configured one is a HIT)', async () => {
    const result = await shell(helmTestCommand());
    expect(result.status, result.output).toBe(0);
    expect(tileRequests).toBe(3);
  });

  it('answers the rendered readiness probe from the VCL, without asking the API', async () => {
    const { readinessProbe } = find(objects, 'Deployment', varnishName).spec.template.spec.containers[0];
    const before = tileRequests;
    const res = await fetch(`http://127.0.0.1:${varnishPort}${readinessProbe.httpGet.path as string}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('SYNTH');
    expect(tileRequests).toBe(before);
  });

  it('fails when the first answer is already a HIT (the test can fail)', async () => {
    const fixed = helmTestCommand().replace(/miss_url="[^"]*"/, 'miss_url="/maps/tileset/p.d.t/20/7/7"');
    const first = await shell(fixed);
    expect(first.status, first.output).toBe(0);
    const again = await shell(fixed);
    expect(again.status).not.toBe(0);
    expect(again.output).toMatch(/EXPECT resp\.http\.X-Cache \(HIT\) ~ "\^MISS" failed/);
  });
});
