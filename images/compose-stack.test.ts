// compose.yaml brought up for real: emulator -> 5 API containers -> Varnish with the chart's VCL. Same smoke checks
// as the native stack: a tile twice through Varnish (MISS then HIT), the GeoJSON table, every API container answers.
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from '@maps-api/emulator';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  composeCommand,
  docker,
  requireDockerAndBases,
  run,
  timed,
  waitForHttp,
} from './test/docker.js';
import { SAMPLE_TABLE, SAMPLE_TILE, expectSampleTable, expectSampleTile } from './test/tiles.js';

const project = `maps-api-stack-test-${process.pid}`;
const ports: Record<string, number> = {};
let compose: string[] = [];
let srcCopy = '';

function composeRun(args: string[], timeoutMs?: number): Promise<string> {
  const [command, ...base] = compose as [string, ...string[]];
  const env = {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    API_SRC: srcCopy,
  };
  return run(command, [...base, '-p', project, '-f', join(REPO_ROOT, 'compose.yaml'), ...args], {
    env,
    timeoutMs,
  });
}

const url = (port: string, path: string) => `http://127.0.0.1:${ports[port]}${path}`;

describe('the compose stack', () => {
  beforeAll(async () => {
    await requireDockerAndBases();
    compose = await composeCommand();
    for (const key of ['VARNISH_PORT', 'API_PORT', 'EMULATOR_PORT', 'VARNISH_METRICS_PORT', 'API_DEV_PORT']) {
      ports[key] = await freePort();
    }
    // The dev profile's hot-reload check edits a copy of api/src, never the working tree.
    srcCopy = await mkdtemp(join(tmpdir(), 'maps-api-src-'));
    await cp(join(REPO_ROOT, 'api/src'), srcCopy, { recursive: true });
    await chmod(srcCopy, 0o755); // mkdtemp makes it 0700; the dev container runs as uid 1000
    await timed('compose build', () => composeRun(['--profile', 'dev', 'build'], 1_200_000));
    await timed('compose stack start (up -d until a tile is served through Varnish)', async () => {
      await composeRun(['up', '-d'], 300_000);
      await waitForHttp(url('VARNISH_PORT', '/readyz'), (res) => res.status === 200, 180_000);
    });
  }, 1_800_000);

  afterAll(async () => {
    if (compose.length) {
      await composeRun(['--profile', 'dev', 'down', '-v', '--remove-orphans', '-t', '5'], 300_000).catch(
        (e: Error) => console.error(e.message),
      );
      const leftovers = await Promise.all(
        ['ps', 'network', 'volume'].map((kind) =>
          docker([
            kind,
            ...(kind === 'ps' ? ['-a'] : ['ls']),
            '-q',
            '--filter',
            `label=com.docker.compose.project=${project}`,
          ]),
        ),
      );
      console.log(
        `[images] leftovers after down (containers, networks, volumes): ${JSON.stringify(leftovers)}`,
      );
      expect(leftovers).toEqual(['', '', '']);
    }
    if (srcCopy) await rm(srcCopy, { recursive: true, force: true });
  }, 300_000);

  it('serves a tile through Varnish: MISS on the first request, HIT on the second', async () => {
    const first = await expectSampleTile(url('VARNISH_PORT', SAMPLE_TILE));
    const second = await expectSampleTile(url('VARNISH_PORT', SAMPLE_TILE));
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
  });

  it('serves the GeoJSON table through Varnish', async () => {
    await expectSampleTable(url('VARNISH_PORT', SAMPLE_TABLE));
  });

  it('spreads requests over all 5 API containers', async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 20 && servedBy.size < 5; i++) {
      const res = await fetch(url('VARNISH_PORT', '/readyz'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('PASS');
      servedBy.add(res.headers.get('x-served-by') ?? 'none');
    }
    expect([...servedBy].sort()).toEqual(['api-1', 'api-2', 'api-3', 'api-4', 'api-5']);
  });

  it('exposes API 1 and the emulator directly, and Varnish counters through the exporter sidecar', async () => {
    expect((await fetch(url('API_PORT', '/healthz'))).status).toBe(200);
    expect((await fetch(url('EMULATOR_PORT', '/bigquery/v2/projects/carto-demo-data/datasets'))).status).toBe(
      200,
    );
    const metrics = await (await waitForHttp(url('VARNISH_METRICS_PORT', '/metrics'))).text();
    const hits = /^varnish_main_cache_hit (\d+)/m.exec(metrics);
    expect(Number(hits?.[1] ?? 0)).toBeGreaterThanOrEqual(1); // the HIT of the first test
  });

  it('reloads the dev profile API when a source file changes', async () => {
    await composeRun(['--profile', 'dev', 'up', '-d', 'api-dev'], 300_000);
    await waitForHttp(url('API_DEV_PORT', '/'), (res) => res.status === 200, 120_000);
    expect(await (await fetch(url('API_DEV_PORT', '/'))).text()).toBe('Hello World!');
    const file = join(srcCopy, 'routes/operations.ts');
    const edited = (await readFile(file, 'utf8')).replace("'Hello World!'", "'Hello Reload!'");
    const body = await timed('hot reload', async () => {
      const deadline = Date.now() + 150_000; // a loaded 2-core machine restarts tsx slowly
      let text = '';
      for (let i = 0; Date.now() < deadline && text !== 'Hello Reload!'; i++) {
        // The edit is saved again every 5 s: on a loaded machine the watcher's first poll can land after the first save,
        // taking the edited file as its baseline. Every save is the same edit; only a restart makes the answer change.
        if (i % 10 === 0) await writeFile(file, edited);
        await new Promise((r) => setTimeout(r, 500));
        text = await fetch(url('API_DEV_PORT', '/')).then(
          (res) => res.text(),
          () => '',
        );
      }
      return text;
    });
    expect(body).toBe('Hello Reload!');
  }, 300_000);
});
