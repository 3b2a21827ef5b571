// What the page exposes as `window.__viewer` (and partly as data attributes on <body>): the browser test reads it,
// so its shape lives in one file shared by the page and the test.

export interface ObservedRequest {
  /** Short label: `tile 14/8029/6215` or `retail_stores GeoJSON`. */
  what: string;
  url: string;
  /** null: no HTTP answer the page may read (network error, or an answer without CORS headers). */
  status: number | null;
  xCache: string | null;
  dataVersion: string | null;
  ms: number;
}

export interface ViewerState {
  /** The API base URL this page shows. */
  api: string;
  /** `idle`: MapLibre's idle event (every tile and source loaded, rendering done). */
  state: 'loading' | 'idle';
  /** Building features MapLibre drew from the tiles (queryRenderedFeatures on the buildings layer). */
  renderedBuildings: number;
  renderedStores: number;
  /** Every tile and GeoJSON request, in the order they finished. */
  requests: ObservedRequest[];
  /** Errors in plain words, each once. */
  errors: string[];
}

export const VIEWER_STATE_GLOBAL = '__viewer';
