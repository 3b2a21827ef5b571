import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { Map as MapLibreMap, setWorkerUrl } from 'maplibre-gl';
import { BUILDINGS_LAYER, SAMPLE_BOUNDS, STORES_LAYER, mapStyle } from './map-style.js';
import { registerObservedProtocol } from './observed-fetch.js';
import { render, setUpPicker } from './panel.js';
import { VIEWER_STATE_GLOBAL, type ViewerState } from './state.js';
import { chosenApi, knownTargets } from './targets.js';

// The bundler emits MapLibre's worker next to this file (viewer/build.ts).
setWorkerUrl(new URL('./maplibre-gl-worker.js', import.meta.url).href);

const api = chosenApi(location.search);
const state: ViewerState = {
  api,
  state: 'loading',
  renderedBuildings: 0,
  renderedStores: 0,
  requests: [],
  errors: [],
};
(window as unknown as Record<string, unknown>)[VIEWER_STATE_GLOBAL] = state;
const started = performance.now();
let status = `Loading from ${api}…`;
const update = () => render(state, status);
const addError = (message: string) => {
  if (!state.errors.includes(message)) state.errors.push(message);
  update();
};

setUpPicker(knownTargets(), api);
registerObservedProtocol({
  onRequest: (request) => {
    state.requests.push(request);
    update();
  },
  onError: addError,
});

const map = new MapLibreMap({
  container: 'map',
  style: mapStyle(api),
  bounds: SAMPLE_BOUNDS,
  fitBoundsOptions: { padding: 16 },
});
// The protocol already reported its own failures in plain words; MapLibre passes the same message here.
map.on('error', (event) => addError(event.error.message));
map.on('idle', () => {
  state.renderedBuildings = map.queryRenderedFeatures({ layers: [BUILDINGS_LAYER] }).length;
  state.renderedStores = map.queryRenderedFeatures({ layers: [STORES_LAYER] }).length;
  state.state = 'idle';
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  status = state.errors.length
    ? `Done, with problems (below). ${state.renderedBuildings} buildings drawn.`
    : `Ready in ${seconds} s: ${state.renderedBuildings} buildings drawn.`;
  update();
});
map.on('dataloading', () => {
  state.state = 'loading';
});
update();
