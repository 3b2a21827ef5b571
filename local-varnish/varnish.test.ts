// @module-tag needs-docker
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVarnish, type RunningVarnish } from './varnish.js';

let backend: Server;
let varnish: RunningVarnish;
let workDir: string;
const backendHits: string[] = [];

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url !== '/healthz') backendHits.push(req.url ?? '');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('X-Table-Id', 'p.d.t');
    res.end(req.url === '/healthz' ? 'ok' : 'tile');
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const { port } = backend.address() as AddressInfo;
  workDir = await mkdtemp(join(tmpdir(), 'varnish-test-'));
  varnish = await startVarnish({
    backends: [{ host: '127.0.0.1', port }],
    listenPort: 20_000 + Math.floor(Math.random() * 20_000),
    mallocMb: 64,
    transientMb: 16,
    workDir,
  });
});

afterAll(async () => {
  await varnish?.stop();
  backend?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('startVarnish', () => {
  it('serves the chart policy in front of a local backend: miss, hit, ban', async () => {
    const first = await fetch(`${varnish.url}/maps/tileset/p.d.t/0/0/0`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await fetch(`${varnish.url}/maps/tileset/p.d.t/0/0/0`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.text()).toBe('tile');
    const ban = await fetch(`${varnish.url}/`, { method: 'BAN', headers: { 'X-Ban-Table': 'p.d.t' } });
    expect(ban.status).toBe(200);
    const third = await fetch(`${varnish.url}/maps/tileset/p.d.t/0/0/0`);
    expect(third.headers.get('x-cache')).toBe('MISS');
    expect(backendHits).toEqual(['/maps/tileset/p.d.t/0/0/0', '/maps/tileset/p.d.t/0/0/0']);
    // Worker threads fold their statistics into the shared counters lazily, hence the poll.
    await expect.poll(async () => (await varnish.counters())['MAIN.cache_hit'], { timeout: 10_000 }).toBe(1);
  });

  it('rejects with the compiler message when the site VCL does not compile', async () => {
    const badDir = await mkdtemp(join(tmpdir(), 'varnish-bad-'));
    try {
      const start = startVarnish({
        backends: [],
        siteVcl: 'vcl 4.1;\nbackend default none;\nsub vcl_recv { set req.no_such_field = 1; }\n',
        listenPort: 20_000 + Math.floor(Math.random() * 20_000),
        mallocMb: 16,
        transientMb: 8,
        workDir: badDir,
      });
      await expect(start).rejects.toThrow(/no_such_field/);
    } finally {
      await rm(badDir, { recursive: true, force: true });
    }
  });

  it('stops varnishd and frees its port', async () => {
    await varnish.stop();
    await expect(fetch(`${varnish.url}/`)).rejects.toThrow();
  });
});
