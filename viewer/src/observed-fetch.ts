// MapLibre loads tiles and the GeoJSON through a custom protocol whose handler is a plain fetch(), so the page can read
// what MapLibre's own loader would hide: status, X-Cache and X-Data-Version (exposed to other origins by CORS).
import { addProtocol, type AddProtocolAction } from 'maplibre-gl';
import type { ObservedRequest } from './state.js';

const PREFIX = 'observed+';

/** `observed+http://host/path`: what the map style names instead of the real URL (still a URL MapLibre can parse). */
export const observed = (url: string) => `${PREFIX}${url}`;

export interface FetchObserver {
  onRequest(request: ObservedRequest): void;
  onError(message: string): void;
}

export function registerObservedProtocol(observer: FetchObserver): void {
  const load: AddProtocolAction = async (params, abortController) => {
    const url = params.url.slice(PREFIX.length);
    const started = performance.now();
    const record = (response: Response | null) =>
      observer.onRequest({
        what: describe(url),
        url,
        status: response?.status ?? null,
        xCache: response?.headers.get('X-Cache') ?? null,
        dataVersion: response?.headers.get('X-Data-Version') ?? null,
        ms: Math.round(performance.now() - started),
      });
    let response: Response;
    try {
      // no-store: every request reaches the server, so X-Cache tells what Varnish did, never the browser's cache.
      response = await fetch(url, { signal: abortController.signal, cache: 'no-store' });
    } catch (error) {
      if (abortController.signal.aborted) throw error; // MapLibre no longer needs this tile
      record(null);
      const message = unreachable(url);
      observer.onError(message);
      throw new Error(message, { cause: error });
    }
    record(response);
    if (response.status === 204) return { data: new ArrayBuffer(0) }; // the API's "no tile here"
    if (!response.ok) {
      const message = `${describe(url)}: the server answered ${response.status}${await errorDetail(response)}`;
      observer.onError(message);
      throw new Error(message);
    }
    if (params.type === 'json') return { data: await response.json() };
    return { data: await response.arrayBuffer() };
  };
  addProtocol(`${PREFIX}http`, load);
  addProtocol(`${PREFIX}https`, load);
}

function describe(url: string): string {
  const tile = /\/maps\/tileset\/[^/]+\/(\d+)\/(\d+)\/(\d+)/.exec(url);
  if (tile) return `tile ${tile[1]}/${tile[2]}/${tile[3]}`;
  const table = /\/maps\/table\/[^/?]*?([^./?]+)\?/.exec(url);
  return table ? `${table[1]} GeoJSON` : url;
}

function unreachable(url: string): string {
  const origin = new URL(url).origin;
  return (
    `No readable answer from ${origin}: either nothing answers there (wrong URL, server down, network) or it ` +
    `answers without CORS headers (Access-Control-Allow-Origin), and the browser hides such answers from pages ` +
    `on other origins.`
  );
}

async function errorDetail(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    const detail = body.message ?? body.error;
    return typeof detail === 'string' ? ` (${detail})` : '';
  } catch {
    return '';
  }
}
