// The viewer in a real browser against every environment's namespace: the page served from an origin of its own, the
// API its users reach through that environment's Varnish (a port-forward bound to 127.0.0.1), the checks of the local
// browser test (viewer/viewer.test.ts): both layers drawn (buildings from the tiles, stores from the GeoJSON table),
// no console error, no failed request, nothing outside loopback, and a reload served by Varnish hits. Every
// environment serves both tables under their public ids (viewer/served-tables.test.ts), so there is nothing to excuse.
import { fileURLToPath } from 'node:url';
import { freePort } from '@maps-api/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkViewerInBrowser, viewerProblems, type ViewerCheckResult } from '../../viewer/browser-check.js';
import { serveViewer, type ViewerServer } from '../../viewer/serve.js';
import { portForward, rehearsal, type PortForward } from '../lib/kube.js';
import { varnishService } from './support.js';

const results = new Map<string, { api: string; result: ViewerCheckResult }>();
let viewer: ViewerServer;

beforeAll(async () => {
  viewer = await serveViewer({ port: await freePort() });
  // One environment at a time: one Chromium on a 2-core machine.
  for (const env of rehearsal.environments) {
    const namespace = rehearsal.namespaceOf(env);
    const forward: PortForward = await portForward(namespace, `service/${varnishService}`, 8080);
    try {
      const screenshot = fileURLToPath(new URL(`../../artifacts/viewer-${env}.png`, import.meta.url));
      const result = await checkViewerInBrowser({
        apiBaseUrl: forward.url,
        viewerUrl: viewer.url,
        screenshotPath: screenshot,
      });
      const { first, reload } = result;
      console.log(
        `[viewer on ${namespace}] ${first.state.renderedBuildings} buildings, ${first.state.renderedStores} stores ` +
          `drawn; first load ${first.ms} ms (${first.state.requests.length} requests), reload ${reload.ms} ms; ${screenshot}`,
      );
      results.set(env, { api: forward.url, result });
    } finally {
      forward.close();
    }
  }
}, 600_000);
afterAll(() => viewer?.stop());

describe.each(rehearsal.environments)('the viewer in Chromium against the %s namespace', (env) => {
  const of = () => results.get(env)!;

  it('is served from another origin than the API it shows', () => {
    expect(new URL(viewer.url).origin).not.toBe(new URL(of().api).origin);
  });

  it('draws both layers: buildings from the tiles, stores from the GeoJSON table', () => {
    expect(of().result.first.state.renderedBuildings).toBeGreaterThan(0);
    expect(of().result.first.state.renderedStores).toBeGreaterThan(0);
    const stores = of().result.first.state.requests.filter((r) => r.what === 'retail_stores GeoJSON');
    expect(stores.map((r) => r.status)).toEqual([200]);
  });

  it('finds no problem by the checks of the local browser test, and its reload is all Varnish hits', () => {
    expect(viewerProblems(of().result)).toEqual([]);
  });
});
