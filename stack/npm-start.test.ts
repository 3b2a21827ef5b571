// The quickstart's first command, `./dev start`, run as a user runs it (its install steps find everything cached,
// as after `./dev test` installed it), passes the same smoke test as the compose stack
// (images/compose-stack.test.ts): tile MISS then HIT through Varnish, the GeoJSON table, all five API processes.
// @module-tag needs-docker
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@maps-api/emulator';
import { SAMPLE_TABLE, SAMPLE_TILE, expectSampleTable, expectSampleTile } from '../images/test/tiles.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
let varnish: string;
let viewerPort: number;
let output = '';
let exited: Promise<number | null>;
let child: ReturnType<typeof spawn>;
let startSeconds = 0;

beforeAll(async () => {
  const [varnishPort, emulatorPort] = [await freePort(), await freePort()];
  viewerPort = await freePort();
  const apiPort = 20_000 + Math.floor(Math.random() * 20_000); // five consecutive ports from here
  varnish = `http://127.0.0.1:${varnishPort}`;
  const started = Date.now();
  child = spawn('./dev', ['start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      VARNISH_PORT: String(varnishPort),
      API_PORT: String(apiPort),
      EMULATOR_PORT: String(emulatorPort),
      VIEWER_PORT: String(viewerPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 150_000;
  while (!output.includes('Local stack ready')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`./dev start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  startSeconds = (Date.now() - started) / 1000;
  console.log(`[stack] ./dev start ready in ${startSeconds.toFixed(1)} s`);
});

afterAll(async () => {
  try {
    process.kill(-child.pid!, 'SIGKILL'); // leftovers only: the last test already stopped the stack
  } catch {
    // the group is gone
  }
});

describe('./dev start (the native stack)', () => {
  it('checks only the install steps the stack needs, each found cached, before npm start', () => {
    const steps = [...output.matchAll(/^==> install (\S+)/gm)].map((m) => m[1]);
    expect(steps).toEqual(['05-node', '10-apt', '20-emulator', '30-helm']);
    expect(output).toMatch(/==> node modules match package-lock\.json/);
    expect(output).not.toMatch(/built in|installed in|apt-get install/);
  });

  it('serves a tile through Varnish: MISS on the first request, HIT on the second', async () => {
    const first = await expectSampleTile(`${varnish}${SAMPLE_TILE}`);
    const second = await expectSampleTile(`${varnish}${SAMPLE_TILE}`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
  });

  it('serves the GeoJSON table through Varnish', async () => {
    await expectSampleTable(`${varnish}${SAMPLE_TABLE}`);
  });

  it('serves the map viewer on an origin of its own, at the URL it prints, pointed at this Varnish', async () => {
    const viewer = `http://127.0.0.1:${viewerPort}`;
    expect(output).toContain(`Map viewer             ${viewer}/`);
    const page = await fetch(`${viewer}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const bundle = await (await fetch(`${viewer}/app.js`)).text();
    expect(bundle).toContain(varnish); // the page's "local" entry
  });

  it('spreads requests over all 5 API processes', async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 20 && servedBy.size < 5; i++) {
      const res = await fetch(`${varnish}/healthz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('PASS');
      servedBy.add(res.headers.get('x-served-by') ?? 'none');
    }
    expect(servedBy.size).toBe(5);
  });

  it('stops every process on Ctrl-C', async () => {
    process.kill(-child.pid!, 'SIGINT'); // the whole process group, as a terminal does
    await exited;
    const deadline = Date.now() + 30_000;
    let up = true;
    while (up && Date.now() < deadline) {
      up = await fetch(`${varnish}/healthz`).then(
        () => true,
        () => false,
      );
      if (up) await new Promise((r) => setTimeout(r, 250));
    }
    expect(up).toBe(false);
    const viewerUp = await fetch(`http://127.0.0.1:${viewerPort}/`).then(
      () => true,
      () => false,
    );
    expect(viewerUp).toBe(false);
    expect(output).toContain('stopping the local stack');
  });
});
