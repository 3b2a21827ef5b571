// compose.yaml brought up for real with Compose v2 and BuildKit (images/docker.sh): emulator -> 5 API containers -> Varnish
// with the chart's VCL. Same smoke checks as the native stack: a tile twice through Varnish (MISS then HIT), the
// GeoJSON table, every API container answers; and the viewer's browser check (Chromium, another origin) against it.
// @module-tag needs-docker
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from '@maps-api/emulator';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkViewerInBrowser, viewerProblems } from '../viewer/browser-check.js';
import { serveViewer } from '../viewer/serve.js';
import {
  REPO_ROOT,
  builtByBuildKit,
  docker,
  pinnedVersion,
  requireDockerAndBases,
  timed,
  waitForHttp,
} from './test/docker.js';
import { SAMPLE_TABLE, SAMPLE_TILE, expectSampleTable, expectSampleTile } from './test/tiles.js';

const project = `maps-api-stack-test-${process.pid}`;
const ports: Record<string, number> = {};
let started = false;
let srcCopy = '';

function composeRun(args: string[], timeoutMs?: number): Promise<string> {
  const env = {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    API_SRC: srcCopy,
  };
  return docker(['compose', '-p', project, '-f', join(REPO_ROOT, 'compose.yaml'), ...args], timeoutMs, env);
}

/** The chart's default uid for a component (charts/maps-api/values.yaml): the images must create exactly that user. */
async function chartUid(component: 'api' | 'varnish'): Promise<number> {
  const values = parse(await readFile(join(REPO_ROOT, 'charts/maps-api/values.yaml'), 'utf8')) as Record<
    string,
    { runAsUser: number }
  >;
  return values[component]!.runAsUser;
}

const url = (port: string, path: string) => `http://127.0.0.1:${ports[port]}${path}`;

describe('the compose stack', () => {
  beforeAll(async () => {
    await requireDockerAndBases();
    started = true;
    for (const key of ['VARNISH_PORT', 'API_PORT', 'EMULATOR_PORT', 'VARNISH_METRICS_PORT', 'API_DEV_PORT']) {
      ports[key] = await freePort();
    }
    // The dev profile's hot-reload check edits a copy of api/src, never the working tree.
    srcCopy = await mkdtemp(join(tmpdir(), 'maps-api-src-'));
    await cp(join(REPO_ROOT, 'api/src'), srcCopy, { recursive: true });
    await chmod(srcCopy, 0o755); // mkdtemp makes it 0700; the dev container runs as uid 65532
    await timed('compose build', () => composeRun(['--profile', 'dev', 'build'], 1_200_000));
    await timed('compose stack start (up -d until a tile is served through Varnish)', async () => {
      await composeRun(['up', '-d'], 300_000);
      await waitForHttp(url('VARNISH_PORT', '/healthz'), (res) => res.status === 200, 180_000);
    });
  }, 1_800_000);

  afterAll(async () => {
    if (started) {
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

  it('is built by BuildKit and run by the pinned Compose v2, never the legacy builder or Compose v1', async () => {
    for (const image of [
      'maps-api/api:local',
      'maps-api/api:dev',
      'maps-api/varnish:local',
      'maps-api/bigquery-emulator:local',
    ])
      expect(await builtByBuildKit(image), image).toBe(true);
    const versions = await docker(['ps', '--filter', `label=com.docker.compose.project=${project}`,
      '--format', '{{.Label "com.docker.compose.version"}}']); // prettier-ignore
    expect(new Set(versions.split('\n'))).toEqual(new Set([pinnedVersion('DOCKER_COMPOSE_VERSION')]));
  });

  it('runs every image it builds as a uid and gid >= 10000, the ones the chart sets for the API and Varnish', async () => {
    const users: Record<string, string> = {};
    for (const image of [
      'maps-api/api:local',
      'maps-api/api:dev',
      'maps-api/varnish:local',
      'maps-api/bigquery-emulator:local',
    ]) {
      users[image] = await docker(['image', 'inspect', '-f', '{{.Config.User}}', image]);
      const [uid, gid] = users[image].split(':').map(Number);
      expect(uid, image).toBeGreaterThanOrEqual(10000);
      expect(gid, image).toBe(uid);
    }
    expect(users['maps-api/api:local']).toBe(`${await chartUid('api')}:${await chartUid('api')}`);
    expect(users['maps-api/varnish:local']).toBe(`${await chartUid('varnish')}:${await chartUid('varnish')}`);
    // The running processes, not just the image metadata (the chart's pod securityContext sets the same ids).
    const status = await composeRun([
      'exec',
      '-T',
      'varnish',
      'sh',
      '-c',
      'id -u; id -g; stat -c %u /var/lib/varnish/varnishd',
    ]);
    const id = String(await chartUid('varnish'));
    expect(status.split('\n')).toEqual([id, id, id]);
  });

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
    // Liveness passes through Varnish to one API container per request (readiness is not public: issue 26). On a loaded
    // machine a container can still be starting right after the first tile: count only 200s, for at most 60 s.
    const servedBy = new Set<string>();
    const statuses: number[] = [];
    const deadline = Date.now() + 60_000;
    while (servedBy.size < 5 && Date.now() < deadline) {
      const res = await fetch(url('VARNISH_PORT', '/healthz'));
      statuses.push(res.status);
      if (res.status !== 200) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      expect(res.headers.get('x-cache')).toBe('PASS');
      servedBy.add(res.headers.get('x-served-by') ?? 'none');
    }
    expect([...servedBy].sort(), `statuses: ${statuses.join(' ')}`).toEqual([
      'api-1',
      'api-2',
      'api-3',
      'api-4',
      'api-5',
    ]);
  });

  it('exposes API 1 and the emulator directly, and Varnish counters through the exporter sidecar', async () => {
    expect((await fetch(url('API_PORT', '/healthz'))).status).toBe(200);
    expect((await fetch(url('EMULATOR_PORT', '/bigquery/v2/projects/carto-demo-data/datasets'))).status).toBe(
      200,
    );
    // The HIT of the first test: a worker adds its counters to varnishd's totals when it can take the stats lock, so
    // the exporter may read them a moment late. Bounded: 20 reads, 0.5 s apart.
    let hits = 0;
    for (let read = 0; read < 20 && hits < 1; read++) {
      if (read > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      const metrics = await (await waitForHttp(url('VARNISH_METRICS_PORT', '/metrics'))).text();
      hits = Number(/^varnish_main_cache_hit (\d+)/m.exec(metrics)?.[1] ?? 0);
    }
    expect(hits).toBeGreaterThanOrEqual(1);
  });

  it('shows the map in Chromium from another origin: the viewer finds no problem, and its reload is all Varnish hits', async () => {
    const viewer = await serveViewer({ port: await freePort() });
    try {
      const result = await checkViewerInBrowser({
        apiBaseUrl: url('VARNISH_PORT', ''),
        viewerUrl: viewer.url,
        screenshotPath: join(REPO_ROOT, 'artifacts/viewer-compose.png'),
      });
      console.log(
        `[images] viewer on compose: ${result.first.state.renderedBuildings} buildings drawn, first load ${result.first.ms} ms, reload ${result.reload.ms} ms`,
      );
      expect(viewerProblems(result)).toEqual([]);
    } finally {
      await viewer.stop();
    }
  }, 240_000);

  it('reloads the dev profile API when a source file changes', async () => {
    await composeRun(['--profile', 'dev', 'up', '-d', 'api-dev'], 300_000);
    await waitForHttp(url('API_DEV_PORT', '/'), (res) => res.status === 200, 120_000);
    expect(await (await fetch(url('API_DEV_PORT', '/'))).text()).toBe('Hello World!');
    const file = join(srcCopy, 'routes/operations.ts');
    const original = await readFile(file, 'utf8');
    // Every occurrence: the route's response schema names the text as well as the handler.
    const edited = original.replaceAll("'Hello World!'", "'Hello Reload!'");
    expect(edited).not.toBe(original);
    const body = await timed('hot reload', async () => {
      const deadline = Date.now() + 150_000; // a loaded 2-core machine restarts tsx slowly
      let text = 'Hello World!'; // what it answered just above
      let savedAt = 0;
      while (Date.now() < deadline && text !== 'Hello Reload!') {
        // Saved again every 5 s while the old code still answers: on a loaded machine the watcher's first poll can land
        // after the first save, taking the edited file as its baseline. Never while it restarts (no answer): a save then
        // would restart it again, and a restart can take longer than 5 s here.
        if (text !== '' && Date.now() - savedAt > 5_000) {
          await writeFile(file, edited);
          savedAt = Date.now();
        }
        await new Promise((r) => setTimeout(r, 500));
        text = await fetch(url('API_DEV_PORT', '/'), { signal: AbortSignal.timeout(5_000) }).then(
          (res) => res.text(),
          () => '',
        );
      }
      return text;
    });
    expect(body).toBe('Hello Reload!');
  }, 300_000);
});
