// What a correct answer looks like, shared by the image and stack tests.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';

export const SAMPLE_TILE = '/maps/tileset/carto-demo-data.demo_tilesets.osm_buildings/0/0/0';
export const SAMPLE_TABLE =
  '/maps/table/carto-demo-data.demo_tables.retail_stores?geomField=geom&format=geojson';

/** A gzip MVT whose `default` layer holds buildings (fetch leaves Content-Encoding undecoded only when asked). */
export async function expectSampleTile(url: string): Promise<Response> {
  const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/vnd.mapbox-vector-tile');
  const body = Buffer.from(await res.arrayBuffer());
  // undici decodes gzip transparently; accept either the raw gzip or the decoded protobuf, but prove it is an MVT.
  const mvt = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
  const layer = new VectorTile(new PbfReader(mvt)).layers['default'];
  expect(layer?.length ?? 0).toBeGreaterThan(0);
  return res;
}

export async function expectSampleTable(url: string): Promise<Response> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { type: string; features: unknown[] };
  expect(body.type).toBe('FeatureCollection');
  expect(body.features.length).toBe(120);
  return res;
}
