// The viewer in a real browser (Debian's Chromium), served from its own origin, against the local stack through
// Varnish: what a person following the README sees, and what the users' jsfiddle does to every environment.
// @module-tag needs-docker
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@maps-api/emulator';
import { startNativeStack, type NativeStack } from '../stack/native.js';
import { checkViewerInBrowser, viewerProblems, type ViewerCheckResult } from './browser-check.js';
import { serveViewer, type ViewerServer } from './serve.js';

/** The screenshot of the first load (gitignored; CI keeps artifacts/). */
export const SCREENSHOT = fileURLToPath(new URL('../artifacts/viewer-local.png', import.meta.url));

let stack: NativeStack;
let viewer: ViewerServer;
let result: ViewerCheckResult;

beforeAll(async () => {
  [stack, viewer] = await Promise.all([
    startNativeStack({ apis: 2, varnishPort: await freePort() }),
    serveViewer({ port: await freePort() }),
  ]);
  const started = Date.now();
  result = await checkViewerInBrowser({
    apiBaseUrl: stack.url,
    viewerUrl: viewer.url,
    screenshotPath: SCREENSHOT,
  });
  const { first, reload } = result;
  console.log(
    `[viewer] ${first.state.renderedBuildings} buildings, ${first.state.renderedStores} stores drawn; ` +
      `first load ${first.ms} ms (${first.state.requests.length} requests), reload ${reload.ms} ms; ` +
      `browser check ${Date.now() - started} ms; screenshot ${SCREENSHOT}`,
  );
}, 240_000);

afterAll(async () => {
  await Promise.all([stack?.stop(), viewer?.stop()]);
});

describe('the viewer in Chromium, from its own origin, against the local stack through Varnish', () => {
  it('is served from another origin than the API', () => {
    expect(new URL(viewer.url).origin).not.toBe(new URL(stack.url).origin);
  });

  it('draws building features from the tiles, and the stores from the GeoJSON', () => {
    expect(result.first.state.renderedBuildings).toBeGreaterThan(0);
    expect(result.first.state.renderedStores).toBeGreaterThan(0);
  });

  it('loads without a console error, a failed request or a request leaving loopback', () => {
    expect(result.consoleErrors).toEqual([]);
    expect(result.failedRequests).toEqual([]);
    expect(result.nonLoopbackRequests).toEqual([]);
    expect(result.first.state.errors).toEqual([]);
  });

  it('reads X-Cache and X-Data-Version across origins: MISS first, then a reload served by Varnish hits', () => {
    const firstCache = new Set(result.first.state.requests.map((r) => r.xCache));
    expect(firstCache).toContain('MISS');
    expect(result.first.state.requests.every((r) => r.dataVersion)).toBe(true);
    const reloaded = result.reload.state.requests;
    expect(reloaded.length).toBeGreaterThan(0);
    expect(reloaded.filter((r) => r.xCache !== 'HIT')).toEqual([]);
  });

  it('finds no problem by the checks a cluster rehearsal reuses', () => {
    expect(viewerProblems(result)).toEqual([]);
  });

  it('says in plain words when the API cannot be reached, and the same checks then fail', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`; // a loopback port nothing listens on
    const broken = await checkViewerInBrowser({
      apiBaseUrl: nobody,
      viewerUrl: viewer.url,
      screenshotPath: fileURLToPath(new URL('../artifacts/viewer-unreachable.png', import.meta.url)),
    });
    expect(broken.first.state.errors).toEqual([
      expect.stringMatching(`^No readable answer from ${nobody}: `),
    ]);
    expect(broken.first.state.renderedBuildings).toBe(0);
    const problems = viewerProblems(broken);
    expect(problems).toContain('no building feature drawn from the tiles');
    expect(problems.some((p) => p.startsWith('failed request: '))).toBe(true);
  }, 120_000);
});
