// The side panel: the target picker, and what the page saw (requests, cache answers, data version, errors).
import type { ObservedRequest, ViewerState } from './state.js';
import type { Target } from './targets.js';

const RECENT = 15;
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Picking an environment or submitting a URL reloads the page with `?api=`, the page's only state. */
export function setUpPicker(targets: Target[], api: string): void {
  const select = byId<HTMLSelectElement>('environment');
  const input = byId<HTMLInputElement>('api');
  for (const target of [...targets, { name: 'other URL…', url: '' }]) {
    select.add(new Option(target.url ? `${target.name} — ${target.url}` : target.name, target.url));
  }
  select.value = targets.some((t) => t.url === api) ? api : '';
  input.value = api;
  const go = (url: string) => {
    if (url) location.search = `?api=${encodeURIComponent(url)}`;
  };
  select.addEventListener('change', () => (select.value ? go(select.value) : input.focus()));
  byId<HTMLFormElement>('target').addEventListener('submit', (event) => {
    event.preventDefault();
    go(input.value.trim());
  });
}

export function render(state: ViewerState, status: string): void {
  byId('status').textContent = status;
  byId('buildings').textContent = String(state.renderedBuildings);
  byId('stores').textContent = String(state.renderedStores);
  byId('data-version').textContent = dataVersions(state.requests);
  byId('cache-summary').textContent = summarize(state.requests);
  byId('errors').replaceChildren(...state.errors.map((message) => element('li', message)));
  byId('requests').replaceChildren(...state.requests.slice(-RECENT).reverse().map(row));
  document.body.dataset.state = state.state;
  document.body.dataset.renderedBuildings = String(state.renderedBuildings);
}

/** The latest X-Data-Version of each source: `tiles: … · retail_stores: …`. */
function dataVersions(requests: ObservedRequest[]): string {
  const latest = new Map<string, string>();
  for (const r of requests) {
    if (r.dataVersion)
      latest.set(r.what.startsWith('tile ') ? 'tiles' : r.what.replace(/ GeoJSON$/, ''), r.dataVersion);
  }
  return [...latest].map(([source, version]) => `${source}: ${version}`).join(' · ') || '–';
}

function summarize(requests: ObservedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests)
    counts.set(r.xCache ?? 'no answer', (counts.get(r.xCache ?? 'no answer') ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind} ${n}`).join(' · ') || '–';
}

function row(request: ObservedRequest): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const cache = element('td', request.xCache ?? '–');
  if (request.xCache) cache.className = request.xCache;
  tr.append(
    element('td', request.what),
    element('td', request.status === null ? 'failed' : String(request.status)),
    cache,
    element('td', String(request.ms)),
  );
  return tr;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}
