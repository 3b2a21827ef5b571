// The real api/Dockerfile, built with BuildKit (offline: its base names mapped onto the stand-ins by images/docker.sh), run
// with the emulator image.
// @module-tag needs-docker
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtByBuildKit,
  docker,
  imageSize,
  mb,
  requireDockerAndBases,
  timed,
  waitForHttp,
} from './test/docker.js';
import { SAMPLE_TABLE, SAMPLE_TILE, expectSampleTable, expectSampleTile } from './test/tiles.js';

const API_IMAGE = 'maps-api/api:local';
const EMULATOR_IMAGE = 'maps-api/bigquery-emulator:local';
const name = `maps-api-image-test-${process.pid}`;
let apiUrl = '';

describe('the API image', () => {
  beforeAll(async () => {
    await requireDockerAndBases();
    await timed('build api image', () =>
      docker([
        'buildx',
        'build',
        '-q',
        '-f',
        'api/Dockerfile',
        '--build-arg',
        'REVISION=test',
        '-t',
        API_IMAGE,
        '.',
      ]),
    );
    await timed('build emulator image', () =>
      docker(['buildx', 'build', '-q', '-f', 'images/emulator/Dockerfile', '-t', EMULATOR_IMAGE, '.']),
    );
    await docker(['network', 'create', name]);
    await docker([
      'run',
      '-d',
      '--name',
      `${name}-emulator`,
      '--network',
      name,
      '--network-alias',
      'emulator',
      EMULATOR_IMAGE,
    ]);
    await docker(['run', '-d', '--name', `${name}-api`, '--network', name, '-p', '127.0.0.1::3000',
      '-e', 'BIGQUERY_EMULATOR_HOST=http://emulator:9050/bigquery/v2', API_IMAGE]); // prettier-ignore
    const published = await docker(['port', `${name}-api`, '3000/tcp']);
    apiUrl = `http://${published.split('\n')[0]}`;
    await timed('api container ready', () => waitForHttp(`${apiUrl}/readyz`));
  }, 1_200_000);

  afterAll(async () => {
    await docker(['rm', '-f', '-v', `${name}-api`, `${name}-emulator`]).catch(() => undefined);
    await docker(['network', 'rm', name]).catch(() => undefined);
  });

  it('is small: distroless Node 22, production dependencies only', async () => {
    const size = await imageSize(API_IMAGE);
    console.log(`[images] ${API_IMAGE}: ${mb(size)}`);
    expect(size).toBeLessThan(250e6);
  });

  it('runs the server process as uid 65532, in an image without a shell', async () => {
    const status = await docker(['exec', `${name}-api`, '/nodejs/bin/node', '-p', "require('fs').readFileSync('/proc/1/status','utf8')"]); // prettier-ignore
    expect(status).toMatch(/^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
    await expect(docker(['exec', `${name}-api`, 'sh', '-c', 'true'])).rejects.toThrow();
  });

  it('is built by BuildKit (its cache mounts refuse the legacy builder)', async () => {
    expect(await builtByBuildKit(API_IMAGE)).toBe(true);
    expect(await builtByBuildKit(EMULATOR_IMAGE)).toBe(true);
  });

  it('carries OCI labels with the build revision', async () => {
    const labels = JSON.parse(
      await docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', API_IMAGE]),
    ) as Record<string, string>;
    expect(labels['org.opencontainers.image.title']).toBe('maps-api');
    expect(labels['org.opencontainers.image.revision']).toBe('test');
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${apiUrl}/healthz`);
    expect(res.status).toBe(200);
  });

  it('serves the sample tile and the sample table from the emulator', async () => {
    await expectSampleTile(`${apiUrl}${SAMPLE_TILE}`);
    await expectSampleTable(`${apiUrl}${SAMPLE_TABLE}`);
  });
});
