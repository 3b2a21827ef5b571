// A self-contained style: a background layer, no external style, glyph or sprite URL (nothing but the API is fetched).
import type { StyleSpecification } from 'maplibre-gl';
import { observed } from './observed-fetch.js';
import { TABLE, TILESET } from './tables.js';

// The public ids and the sample's layer name and zoom range: emulator/src/sample-data.ts.
const TILE_LAYER = 'default';
const TILESET_MAX_ZOOM = 15;
/** The sample area (central Madrid), where the page opens. */
export const SAMPLE_BOUNDS: [[number, number], [number, number]] = [
  [-3.72, 40.4],
  [-3.68, 40.43],
];

export const BUILDINGS_LAYER = 'buildings';
export const STORES_LAYER = 'stores';

export function mapStyle(api: string): StyleSpecification {
  return {
    version: 8,
    sources: {
      buildings: {
        type: 'vector',
        tiles: [observed(`${api}/maps/tileset/${TILESET}/{z}/{x}/{y}`)],
        minzoom: 0,
        maxzoom: TILESET_MAX_ZOOM,
      },
      stores: {
        type: 'geojson',
        data: observed(`${api}/maps/table/${TABLE}?geomField=geom&format=geojson`),
      },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#eef0f2' } },
      {
        id: BUILDINGS_LAYER,
        type: 'fill',
        source: 'buildings',
        'source-layer': TILE_LAYER,
        paint: {
          'fill-color': ['interpolate', ['linear'], ['get', 'height'], 3, '#f6c89f', 36, '#8c2d04'],
          'fill-outline-color': '#6b3a1e',
        },
      },
      {
        id: STORES_LAYER,
        type: 'circle',
        source: 'stores',
        paint: {
          'circle-radius': 5,
          'circle-color': '#1f4e9c',
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1.5,
        },
      },
    ],
  };
}
