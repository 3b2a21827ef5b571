// The embedded sample data: a small tileset with the real CARTO layout and a small GEOGRAPHY table, generated
// deterministically (same bytes on every machine) so tests can assert exact values.
import { gzipSync } from 'node:zlib';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { tilePartition, type PartitionScheme } from '../../api/src/carto-partition.js';

export const SAMPLE_TILESET = 'carto-demo-data.demo_tilesets.osm_buildings';
export const SAMPLE_TABLE = 'carto-demo-data.demo_tables.retail_stores';
export const SAMPLE_LOCATION = 'US';
export const TILE_LAYER = 'default';
export const TILESET_MAX_ZOOM = 15;

/** Central Madrid: about 3.4 km x 3.3 km of generated buildings. */
const CITY_BOUNDS = { west: -3.72, south: 40.4, east: -3.68, north: 40.43 };

export interface TileRow {
  z: number;
  x: number;
  y: number;
  data: Buffer;
  /** NULL for the z = -1 metadata row, as CARTO's tiler writes it. */
  carto_partition: number | null;
}

export interface StoreRow {
  store_id: number;
  storetype: string;
  address: string;
  city: string;
  revenue: number;
  size_m2: number;
  geom: string; // WKT, as BigQuery returns GEOGRAPHY over REST
}

export const TILESET_SCHEMA = [
  { name: 'z', type: 'INT64' },
  { name: 'x', type: 'INT64' },
  { name: 'y', type: 'INT64' },
  { name: 'data', type: 'BYTES' },
  { name: 'carto_partition', type: 'INT64' },
];

export const STORES_SCHEMA = [
  { name: 'store_id', type: 'INT64' },
  { name: 'storetype', type: 'STRING' },
  { name: 'address', type: 'STRING' },
  { name: 'city', type: 'STRING' },
  { name: 'revenue', type: 'FLOAT64' },
  { name: 'size_m2', type: 'FLOAT64' },
  { name: 'geom', type: 'GEOGRAPHY' },
];

/** mulberry32: a tiny seeded PRNG, so the sample data never changes between runs (and tests can name a case). */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Ring = [number, number][];

function building(rand: () => number, lon: number, lat: number): Feature<Polygon> {
  const metresToLat = 1 / 111_320;
  const metresToLon = 1 / (111_320 * Math.cos((lat * Math.PI) / 180));
  const width = 8 + rand() * 30;
  const depth = 8 + rand() * 30;
  const angle = rand() * Math.PI;
  const corners: [number, number][] = [
    [-width / 2, -depth / 2],
    [width / 2, -depth / 2],
    [width / 2, depth / 2],
    [-width / 2, depth / 2],
  ];
  const ring: Ring = corners.map(([dx, dy]) => {
    const rx = dx * Math.cos(angle) - dy * Math.sin(angle);
    const ry = dx * Math.sin(angle) + dy * Math.cos(angle);
    return [round(lon + rx * metresToLon, 7), round(lat + ry * metresToLat, 7)];
  });
  ring.push(ring[0]!);
  const levels = 1 + Math.floor(rand() * 12);
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [ring] },
    properties: { height: levels * 3, levels, kind: levels > 6 ? 'apartments' : 'residential' },
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function sampleBuildings(count = 1500): FeatureCollection<Polygon> {
  const rand = random(42);
  const { west, south, east, north } = CITY_BOUNDS;
  const features = Array.from({ length: count }, () =>
    building(rand, west + rand() * (east - west), south + rand() * (north - south)),
  );
  return { type: 'FeatureCollection', features };
}

/**
 * Partitions as CARTO's tiler assigns them (its default of 4,000 target partitions: 3,999 used, 0 for tiles outside),
 * over the buildings' tile bounding box at the max zoom.
 */
export function samplePartitionScheme(): PartitionScheme {
  const { west, south, east, north } = CITY_BOUNDS;
  const min = tileOf(west, north, TILESET_MAX_ZOOM);
  const max = tileOf(east, south, TILESET_MAX_ZOOM);
  return {
    zmin: 0,
    zmax: TILESET_MAX_ZOOM,
    zstep: 1,
    xmin: min.x,
    xmax: max.x,
    ymin: min.y,
    ymax: max.y,
    partitions: 3999,
  };
}

/** Range partitioning of the tileset table on carto_partition, as CARTO creates it. */
export const TILESET_RANGE_PARTITIONING = {
  field: 'carto_partition',
  range: { start: '0', end: '4000', interval: '1' },
};

function tileJson() {
  const { west, south, east, north } = CITY_BOUNDS;
  const p = samplePartitionScheme();
  return {
    tilejson: '3.0.0',
    name: SAMPLE_TILESET,
    description: 'Embedded sample of osm_buildings (generated buildings over central Madrid)',
    scheme: 'xyz',
    tiles: [`/maps/tileset/${SAMPLE_TILESET}/{z}/{x}/{y}`],
    minzoom: 0,
    maxzoom: TILESET_MAX_ZOOM,
    bounds: [west, south, east, north],
    center: [(west + east) / 2, (south + north) / 2, 14],
    // As CARTO's BigQuery tiler writes it (carto-bq-tiler, carto_bq_tiler/mbtiles.py): an object, box at zmax
    carto_partition: {
      version: 1,
      partitions: p.partitions,
      zstep: p.zstep,
      zmin: p.zmin,
      zmax: p.zmax,
      xmin: p.xmin,
      xmax: p.xmax,
      ymin: p.ymin,
      ymax: p.ymax,
    },
    vector_layers: [
      {
        id: TILE_LAYER,
        minzoom: 0,
        maxzoom: TILESET_MAX_ZOOM,
        fields: { height: 'Number', levels: 'Number', kind: 'String' },
      },
    ],
  };
}

/** Tile x/y (slippy-map scheme) holding a longitude/latitude at zoom z. */
export function tileOf(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.min(x, n - 1), y: Math.min(y, n - 1) };
}

/**
 * Every tile from z0 to TILESET_MAX_ZOOM that holds a building, in its CARTO partition, plus the z = -1 metadata row
 * (TileJSON with the partition scheme) in the NULL partition.
 */
export function sampleTileRows(): TileRow[] {
  const index = new GeoJSONVT(sampleBuildings(), {
    maxZoom: TILESET_MAX_ZOOM,
    indexMaxZoom: 0,
    tolerance: 0,
  });
  const rows: TileRow[] = [
    { z: -1, x: 0, y: 0, data: Buffer.from(JSON.stringify(tileJson())), carto_partition: null },
  ];
  const { west, south, east, north } = CITY_BOUNDS;
  const scheme = samplePartitionScheme();
  for (let z = 0; z <= TILESET_MAX_ZOOM; z++) {
    const min = tileOf(west, north, z);
    const max = tileOf(east, south, z);
    for (let x = min.x; x <= max.x; x++) {
      for (let y = min.y; y <= max.y; y++) {
        const tile = index.getTile(z, x, y);
        if (!tile || tile.features.length === 0) continue;
        const mvt = fromGeojsonVt({ [TILE_LAYER]: tile }, { version: 2 });
        rows.push({
          z,
          x,
          y,
          data: gzipSync(mvt, { level: 9 }),
          carto_partition: tilePartition(scheme, z, x, y),
        });
      }
    }
  }
  return rows;
}

const STORE_TYPES = ['Supermarket', 'Convenience Store', 'Drugstore', 'Hypermarket'];
const STREETS = ['Gran Via', 'Calle de Alcala', 'Calle Mayor', 'Paseo del Prado', 'Calle de Atocha'];

export function sampleStoreRows(count = 120): StoreRow[] {
  const rand = random(7);
  const { west, south, east, north } = CITY_BOUNDS;
  return Array.from({ length: count }, (_, i) => ({
    store_id: 1000 + i,
    storetype: STORE_TYPES[Math.floor(rand() * STORE_TYPES.length)]!,
    address: `${STREETS[Math.floor(rand() * STREETS.length)]} ${1 + Math.floor(rand() * 200)}`,
    city: 'Madrid',
    revenue: round(50_000 + rand() * 1_500_000, 2),
    size_m2: round(80 + rand() * 2_000, 1),
    geom: `POINT(${round(west + rand() * (east - west), 6)} ${round(south + rand() * (north - south), 6)})`,
  }));
}
