// The viewer in a real browser, against any API: Debian's Chromium (WebGL through SwiftShader) driven by
// playwright-core, which never downloads a browser. The local test (viewer.test.ts) and a cluster rehearsal call
// checkViewerInBrowser() with their own URLs, then assert viewerProblems(result) is empty.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { VIEWER_STATE_GLOBAL, type ObservedRequest, type ViewerState } from './src/state.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags from docs: headless WebGL through SwiftShader, and no traffic of Chromium's own (updates, sync, probes). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Every hostname but loopback resolves to nothing: the page can reach this machine only.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

export interface ViewerCheckOptions {
  /** API base URL the page shows, e.g. a Varnish on 127.0.0.1. */
  apiBaseUrl: string;
  /** Origin serving the viewer (another origin than the API's). */
  viewerUrl: string;
  /** Where the PNG of the first load goes. */
  screenshotPath: string;
  timeoutMs?: number;
}

export interface PageLoad {
  state: ViewerState;
  /** From navigation to MapLibre's idle event. */
  ms: number;
}

export interface ViewerCheckResult {
  first: PageLoad;
  reload: PageLoad;
  consoleErrors: string[];
  /** Requests that failed at the network level or got a 4xx/5xx. */
  failedRequests: string[];
  /** Requests to anything but a loopback address (must be none). */
  nonLoopbackRequests: string[];
  screenshotPath: string;
}

export async function checkViewerInBrowser(options: ViewerCheckOptions): Promise<ViewerCheckResult> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run tools/install.sh 15-chromium (or set CHROMIUM_PATH)`,
    );
  }
  const timeout = options.timeoutMs ?? 90_000;
  const profile = mkdtempSync(join(tmpdir(), 'maps-viewer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    timeout,
  });
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const nonLoopbackRequests: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeout);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on('request', (request) => {
      const { protocol, hostname } = new URL(request.url());
      if (/^https?:$/.test(protocol) && !isLoopback(hostname)) nonLoopbackRequests.push(request.url());
    });
    page.on('requestfailed', (request) =>
      failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
    });

    const pageUrl = `${options.viewerUrl.replace(/\/+$/, '')}/?api=${encodeURIComponent(options.apiBaseUrl)}`;
    const idle = (navigate: () => Promise<unknown>) =>
      untilIdle(page, navigate).catch(async (error: Error) => {
        const state = await page.evaluate(`window.${VIEWER_STATE_GLOBAL}`).catch(() => undefined);
        const seen = JSON.stringify({ state, consoleErrors, failedRequests }, null, 1).slice(0, 4000);
        throw new Error(`${error.message}\nthe page never became idle; it saw: ${seen}`, { cause: error });
      });
    const first = await idle(() => page.goto(pageUrl));
    mkdirSync(dirname(options.screenshotPath), { recursive: true });
    await page.screenshot({ path: options.screenshotPath });
    const reload = await idle(() => page.reload());
    return {
      first,
      reload,
      consoleErrors,
      failedRequests,
      nonLoopbackRequests,
      screenshotPath: options.screenshotPath,
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function untilIdle(page: Page, navigate: () => Promise<unknown>): Promise<PageLoad> {
  const started = Date.now();
  await navigate();
  // Idle with at least one request seen: an idle before the first tile was even asked for proves nothing.
  await page.waitForFunction(
    `window.${VIEWER_STATE_GLOBAL}?.state === 'idle' && window.${VIEWER_STATE_GLOBAL}.requests.length > 0`,
  );
  const state = (await page.evaluate(`window.${VIEWER_STATE_GLOBAL}`)) as ViewerState;
  return { state, ms: Date.now() - started };
}

function isLoopback(hostname: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]' || hostname === 'localhost';
}

const isTile = (request: ObservedRequest) => request.what.startsWith('tile ');

/** Everything wrong with a check, in plain words; empty when the viewer works against that API. */
export function viewerProblems(result: ViewerCheckResult): string[] {
  const { first, reload } = result;
  const problems = [
    ...result.consoleErrors.map((text) => `console error: ${text}`),
    ...result.failedRequests.map((text) => `failed request: ${text}`),
    ...result.nonLoopbackRequests.map((url) => `request outside loopback: ${url}`),
    ...[...first.state.errors, ...reload.state.errors].map((text) => `page reported: ${text}`),
  ];
  if (first.state.renderedBuildings <= 0) problems.push('no building feature drawn from the tiles');
  if (!first.state.requests.some(isTile)) problems.push('the first load requested no tile');
  const reloadTiles = reload.state.requests.filter(isTile);
  if (reloadTiles.length === 0) problems.push('the reload requested no tile');
  const notHits = reload.state.requests.filter((r) => !r.xCache?.startsWith('HIT'));
  for (const r of notHits)
    problems.push(`after reload, ${r.what} was not a cache hit (X-Cache: ${r.xCache})`);
  return problems;
}
