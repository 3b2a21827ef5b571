/**
 * Smoke checks through Varnish: health, `GET /`, one table as GeoJSON (an empty `table` checks none) and one tile
 * twice (the second must be a cache HIT). `healthOnly` stops after the first two (for a stack without data).
 */
export interface SmokeOptions {
  url: string;
  tileset: string;
  tile: string;
  table: string;
  geomField: string;
  healthOnly: boolean;
  log: (line: string) => void;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The API answered 404 for the tileset: the table does not exist (an environment whose replica is not made yet). */
export class MissingTable extends Error {
  readonly table: string;
  constructor(table: string, answer: string) {
    super(`the API answers 404 for ${table}: ${answer.slice(0, 200)}`);
    this.table = table;
  }
}

export async function runSmoke(options: SmokeOptions): Promise<void> {
  const base = options.url.replace(/\/$/, '');
  // fetch asks for gzip and inflates it, as a browser would: Varnish serves the stored gzip'd tile as is.
  // Each request is bounded (body included), and one that gets no answer at all is sent once more: a loopback
  // port-forward stream can stall on a loaded machine (seen in the rehearsal: a deploy hung for minutes in the smoke).
  // The smoke judges the release, never hangs the deploy; an HTTP answer, whatever its status, is never retried.
  const get = async (path: string): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = await response.arrayBuffer();
        options.log(`GET ${path} -> ${response.status} X-Cache=${response.headers.get('x-cache') ?? '-'}`);
        return new Response(body, { status: response.status, headers: response.headers });
      } catch (error) {
        if (attempt === 2)
          throw new Error(`smoke failed: GET ${path}: no answer (${String(error)})`, { cause: error });
        options.log(`GET ${path}: no answer (${String(error)}), once more`);
      }
    }
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`smoke failed: ${what}`);
  };

  check((await get('/healthz')).status === 200, '/healthz is not 200');
  check((await (await get('/')).text()) === 'Hello World!', 'GET / does not answer Hello World!');
  if (options.healthOnly) return;

  // The table first: a missing replica (the tileset) then stops only the tile checks, after everything else passed.
  if (options.table) {
    const table = await get(`/maps/table/${options.table}?geomField=${options.geomField}&format=geojson`);
    check(table.status === 200, `table answered ${table.status}`);
    const geojson = (await table.json()) as { type?: string; features?: unknown[] };
    check(geojson.type === 'FeatureCollection', 'table is not a GeoJSON FeatureCollection');
    options.log(`table: ${geojson.features?.length ?? 0} features`);
  } else {
    options.log('table: none checked (this environment serves no GeoJSON sample table)');
  }

  check(options.tileset !== '', 'a tileset is required');
  const tilePath = `/maps/tileset/${options.tileset}/${options.tile}`;
  const first = await get(tilePath);
  if (first.status === 404) throw new MissingTable(options.tileset, await first.text());
  check(first.status === 200, `${tilePath} is not 200 (pick a tile that exists)`);
  check(first.headers.get('content-type') === 'application/vnd.mapbox-vector-tile', 'tile content-type');
  check((await first.arrayBuffer()).byteLength > 0, 'tile body is empty');
  const second = await get(tilePath);
  check(second.headers.get('x-cache')?.startsWith('HIT') ?? false, 'second tile request was not a cache HIT');
}
