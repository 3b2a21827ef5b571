// Which tiles a tileset can hold, from the metadata the API already reads once per table version: a tile outside it is
// answered 204 without a query (a client or crawler asking for zooms or places the tileset lacks costs no BigQuery).
// - a CARTO partition scheme, checked against stored rows (partition-check.ts) and with nothing stored in partition 0
//   (where CARTO puts tiles outside the scheme's zooms and box), is proof: no tile exists outside it;
// - otherwise the TileJSON's minzoom, maxzoom and bounds, which the tileset declares about itself (TileJSON 3.0.0:
//   bounds "MUST define an area covered by all zoom levels"); carto-bq-tiler writes bounds as MBTiles' "w,s,e,n" text.
import { OUTSIDE_PARTITIONS, tilePartition, type PartitionScheme } from './carto-partition.js';

export type Coverage =
  | { kind: 'scheme'; scheme: PartitionScheme }
  | { kind: 'tilejson'; minzoom: number; maxzoom: number; bounds?: [number, number, number, number] }
  | { kind: 'unknown' };

const MAX_LATITUDE = 85.0511287798066;

const wholeNumber = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
};

function boundsOf(value: unknown): [number, number, number, number] | undefined {
  const parts = typeof value === 'string' ? value.split(',').map((part) => Number(part.trim())) : value;
  if (!Array.isArray(parts) || parts.length !== 4) return undefined;
  if (!parts.every((part) => typeof part === 'number' && Number.isFinite(part))) return undefined;
  const [west, south, east, north] = parts as [number, number, number, number];
  return west <= east && south <= north ? [west, south, east, north] : undefined;
}

/** minzoom/maxzoom (and bounds when valid) of a TileJSON; unknown unless both zooms are there. */
export function tileJsonCoverage(metadata: unknown): Coverage {
  if (typeof metadata !== 'object' || metadata === null) return { kind: 'unknown' };
  const { minzoom, maxzoom, bounds } = metadata as Record<string, unknown>;
  const [min, max] = [wholeNumber(minzoom), wholeNumber(maxzoom)];
  if (min === undefined || max === undefined || min > max) return { kind: 'unknown' };
  return { kind: 'tilejson', minzoom: min, maxzoom: max, bounds: boundsOf(bounds) };
}

/** Tile column and row holding a longitude/latitude at zoom z. */
function tileAt(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const rad = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.max(0, Math.min(x, n - 1)), y: Math.max(0, Math.min(y, n - 1)) };
}

/** Can the tileset hold tile z/x/y? True whenever the metadata cannot rule it out. */
export function covers(coverage: Coverage, z: number, x: number, y: number): boolean {
  if (coverage.kind === 'unknown') return true;
  if (coverage.kind === 'scheme') return tilePartition(coverage.scheme, z, x, y) !== OUTSIDE_PARTITIONS;
  if (z < coverage.minzoom || z > coverage.maxzoom) return false;
  if (!coverage.bounds) return true;
  const [west, south, east, north] = coverage.bounds;
  const topLeft = tileAt(west, north, z);
  const bottomRight = tileAt(east, south, z);
  return x >= topLeft.x && x <= bottomRight.x && y >= topLeft.y && y <= bottomRight.y;
}
