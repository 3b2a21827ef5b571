// The viewer in a real browser against the production namespace: the page served from an origin of its own, the API
// its users reach through production's Varnish (a port-forward bound to 127.0.0.1), the same checks as the local
// browser test (viewer/viewer.test.ts): the map draws building features from the tiles, with no console error, no
// failed request, nothing outside loopback, and a reload served by Varnish hits. One difference, by design:
// production serves only its verified replica (osm_buildings under its public id), so the viewer's stores layer, the
// public demo table retail_stores, is refused with a 403 naming the ids it serves (cluster/README.md, Findings).
import { fileURLToPath } from 'node:url';
import { freePort } from '@maps-api/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkViewerInBrowser, viewerProblems, type ViewerCheckResult } from '../../viewer/browser-check.js';
import { serveViewer, type ViewerServer } from '../../viewer/serve.js';
import { portForward, rehearsal, type PortForward } from '../lib/kube.js';
import { varnishService } from './support.js';

const namespace = rehearsal.namespaceOf('production');
const screenshot = fileURLToPath(new URL('../../artifacts/viewer-production.png', import.meta.url));
/** Chromium's console line for the refused stores request (it names no URL). */
const REFUSED_RESOURCE = 'Failed to load resource: the server responded with a status of 403 (Forbidden)';
let forward: PortForward;
let viewer: ViewerServer;
let result: ViewerCheckResult;

beforeAll(async () => {
  [forward, viewer] = await Promise.all([
    portForward(namespace, `service/${varnishService}`, 8080),
    serveViewer({ port: await freePort() }),
  ]);
  result = await checkViewerInBrowser({
    apiBaseUrl: forward.url,
    viewerUrl: viewer.url,
    screenshotPath: screenshot,
  });
  const { first, reload } = result;
  console.log(
    `[viewer on ${namespace}] ${first.state.renderedBuildings} buildings drawn; first load ${first.ms} ms ` +
      `(${first.state.requests.length} requests), reload ${reload.ms} ms; screenshot ${screenshot}`,
  );
});
afterAll(async () => {
  forward?.close();
  await viewer?.stop();
});

describe('the viewer in Chromium against the production namespace', () => {
  it('is served from another origin than the API it shows', () => {
    expect(new URL(viewer.url).origin).not.toBe(new URL(forward.url).origin);
  });

  it('draws building features from the tiles production serves', () => {
    expect(result.first.state.renderedBuildings).toBeGreaterThan(0);
  });

  it('is refused the stores table, which production does not serve, with the 403 that says so', () => {
    const stores = result.first.state.requests.filter((r) => r.what === 'retail_stores GeoJSON');
    expect(stores.map((r) => r.status)).toEqual([403]);
    expect(result.first.state.errors).toEqual([
      expect.stringMatching(/^retail_stores GeoJSON: the server answered 403.*public table ids served here/),
    ]);
  });

  it('finds no other problem by the checks of the local browser test, and its reload is all Varnish hits', () => {
    const aboutStores = (problem: string) =>
      /retail_stores/.test(problem) || problem === `console error: ${REFUSED_RESOURCE}`;
    expect(viewerProblems(result).filter((problem) => !aboutStores(problem))).toEqual([]);
  });
});
