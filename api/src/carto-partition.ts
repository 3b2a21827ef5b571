// Which `carto_partition` a CARTO tileset stores a tile in, computed from the tileset's own metadata, so a tile query
// can filter on the partitioning column and BigQuery estimates (and bills) one partition instead of the whole table.
//
// Facts from CARTO's public descriptions (its tiler's `target_partitions` option, and deck.gl's CARTO tile layer):
// - partition 0 holds tiles outside the partitioned zoom range or bounding box; partitions 1..N hold the rest;
// - N is split by zoom: the highest zoom level gets 3/4 of it, each lower one 3/4 of what is left (z0 takes all that
//   remains); with a zoom step, the skipped levels' shares go to the next generated level;
// - within a zoom level, tiles are ordered along a generalized Hilbert curve ("gilbert", J. Červený) over the tileset's
//   tile bounding box at that zoom (the max-zoom box shifted down), and that order is cut into equal runs.
//
// Where the scheme is written, in two forms (both read here; anything else is refused, never guessed):
// - CARTO's BigQuery tiler (PyPI `carto-bq-tiler` 0.1.10, CARTO): carto_bq_tiler/mbtiles.py builds
//   `carto_partition: {version: 1, partitions, zstep, zmin, zmax, xmin, xmax, ymin, ymax}` and
//   carto_bq_tiler/bigquery.py writes the whole TileJSON into `data` of the row (z = -1, x NULL, y NULL,
//   carto_partition NULL) — the object form;
// - CARTO's Maps API passes the same scheme as the URL parameter `partition=zmin_zmax_xmin_xmax_ymin_ymax_partitions_zstep`
//   (deck.gl's CARTO tile layer, modules/carto/src/layers/carto-tile-layer.ts in the skywalkerchen13/deck.gl fork) —
//   the string form. The box is in tile coordinates at zmax in both.

export interface PartitionScheme {
  zmin: number;
  zmax: number;
  zstep: number;
  /** Tile bounding box at zmax, inclusive. */
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  partitions: number;
}

export const OUTSIDE_PARTITIONS = 0;

export type SchemeReading =
  { ok: true; scheme: PartitionScheme; form: 'object' | 'string' } | { ok: false; problem: string };

const STRING_FORM = /^\d+(_\d+){7}$/;
/** The string form's order. */
const FIELDS = ['zmin', 'zmax', 'xmin', 'xmax', 'ymin', 'ymax', 'partitions', 'zstep'] as const;
const EXPECTED =
  'neither the object {version: 1, partitions, zstep, zmin, zmax, xmin, xmax, ymin, ymax} nor the string ' +
  'zmin_zmax_xmin_xmax_ymin_ymax_partitions_zstep';

/** What was found, short enough for a log line. */
export function excerpt(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The scheme in a tileset's metadata (the parsed TileJSON of its z = -1 row), in CARTO's object form or the string
 * form; otherwise what was found instead, for the loud failure (a log naming the table, a metric, an alert).
 */
export function readPartitionScheme(metadata: unknown): SchemeReading {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return { ok: false, problem: `the metadata is not a JSON object: ${excerpt(metadata)}` };
  if (!('carto_partition' in metadata)) {
    const keys = Object.keys(metadata).join(', ') || 'none';
    return { ok: false, problem: `the metadata has no carto_partition (keys: ${keys})` };
  }
  const value = metadata.carto_partition;
  const refused = (why: string): SchemeReading => ({
    ok: false,
    problem: `carto_partition ${excerpt(value)}: ${why}`,
  });
  let form: 'object' | 'string';
  let fields: Record<string, unknown>;
  if (typeof value === 'string' && STRING_FORM.test(value)) {
    const numbers = value.split('_').map(Number);
    form = 'string';
    fields = Object.fromEntries(FIELDS.map((key, i) => [key, numbers[i]]));
  } else {
    // carto-bq-tiler hands the object to its partition function as JSON text: accept that spelling of it too.
    const object = typeof value === 'string' && value.startsWith('{') ? parseJson(value) : value;
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return refused(EXPECTED);
    form = 'object';
    fields = { zstep: 1, ...object }; // CARTO's earlier readers had no zstep: 1 is what they used
    if (fields.version !== 1 && fields.version !== '1')
      return refused(`version ${excerpt(fields.version)}; only version 1 is known`);
  }
  const scheme: Partial<PartitionScheme> = {};
  for (const key of FIELDS) {
    // CARTO's own readers parseInt every field: a digit string is the same value.
    const raw = fields[key];
    const number = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0)
      return refused(`${key} is ${excerpt(raw)}, not a whole number`);
    scheme[key] = number;
  }
  const { zmin = 0, zmax = 0, zstep = 0, xmin = 0, xmax = 0, ymin = 0, ymax = 0, partitions = 0 } = scheme;
  if (!(zmin <= zmax && zmax <= 30)) return refused('zmin must not exceed zmax, nor zmax 30');
  if (zstep < 1 || partitions < 1) return refused('zstep and partitions must be at least 1');
  if (!(xmin <= xmax && ymin <= ymax && xmax < 2 ** zmax && ymax < 2 ** zmax))
    return refused(`the box is not a tile range at zoom ${zmax}`);
  return { ok: true, scheme: { zmin, zmax, zstep, xmin, xmax, ymin, ymax, partitions }, form };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The range of partitions [min, max] that zoom z's tiles are spread over; OUTSIDE_PARTITIONS for other zooms. */
export function zoomPartitionRange(scheme: PartitionScheme, z: number): { min: number; max: number } {
  const { zmin, zstep, partitions } = scheme;
  const outside = { min: OUTSIDE_PARTITIONS, max: OUTSIDE_PARTITIONS };
  if (z < zmin || z > scheme.zmax || (z !== zmin && (z - zmin) % zstep !== 0)) return outside;
  const top = scheme.zmax - zmin - ((scheme.zmax - zmin) % zstep);
  const level = z - zmin;
  if (top === 0 || partitions === 1) return { min: 1, max: partitions };
  let start: number;
  let share = 0;
  if (level === 0) {
    start = 0;
    share = partitions / 4 ** top;
  } else {
    const firstCovered = level - zstep + 1;
    for (let covered = firstCovered; covered <= level; covered++)
      share += (3 * partitions) / 4 ** (top - covered + 1);
    start = partitions / 4 ** (top - firstCovered + 1);
  }
  const roundedStart = Math.round(start);
  return {
    min: roundedStart + 1,
    max: Math.min(partitions, Math.max(Math.floor(start + share), roundedStart) + 1),
  };
}

/** The partition a tileset following `scheme` stores tile z/x/y in. */
export function tilePartition(scheme: PartitionScheme, z: number, x: number, y: number): number {
  if (z < scheme.zmin || z > scheme.zmax) return OUTSIDE_PARTITIONS;
  const shift = scheme.zmax - z;
  const [left, right] = [Math.floor(scheme.xmin / 2 ** shift), Math.floor(scheme.xmax / 2 ** shift)];
  const [top, bottom] = [Math.floor(scheme.ymin / 2 ** shift), Math.floor(scheme.ymax / 2 ** shift)];
  if (x < left || x > right || y < top || y > bottom) return OUTSIDE_PARTITIONS;
  const range = zoomPartitionRange(scheme, z);
  const usable = range.max - range.min + 1;
  if (range.min === OUTSIDE_PARTITIONS || usable === 1) return range.min;
  const width = right - left + 1;
  const height = bottom - top + 1;
  const position = gilbertPosition(x - left, y - top, width, height);
  return range.min + Math.floor((usable * position) / (width * height));
}

type Vector = readonly [number, number];

/**
 * Position (0-based) of cell (x, y) along the generalized Hilbert curve that fills a width × height rectangle from
 * its corner (0, 0), running first along the longer side (along y when square, as CARTO's tiler does).
 */
export function gilbertPosition(x: number, y: number, width: number, height: number): number {
  if (!(width >= 1 && height >= 1)) throw new RangeError(`no curve fills ${width} x ${height}`);
  if (x < 0 || y < 0 || x >= width || y >= height)
    throw new RangeError(`(${x}, ${y}) is outside the rectangle`);
  return width > height
    ? positionIn([x, y], [0, 0], [width, 0], [0, height])
    : positionIn([x, y], [0, 0], [0, height], [width, 0]);
}

const sign = (v: Vector): Vector => [Math.sign(v[0]), Math.sign(v[1])];
const length = (v: Vector) => Math.abs(v[0] + v[1]); // one component is always 0
const plus = (a: Vector, b: Vector): Vector => [a[0] + b[0], a[1] + b[1]];
const minus = (a: Vector, b: Vector): Vector => [a[0] - b[0], a[1] - b[1]];
const halve = (v: Vector): Vector => [Math.floor(v[0] / 2), Math.floor(v[1] / 2)];

/** The rectangle walked from `origin` along `main` (the curve's direction) and `side`: does it hold `cell`? */
function holds(cell: Vector, origin: Vector, main: Vector, side: Vector): boolean {
  const far = minus(plus(origin, plus(main, side)), plus(sign(main), sign(side)));
  return [0, 1].every((axis) => {
    const low = Math.min(origin[axis]!, far[axis]!);
    const high = Math.max(origin[axis]!, far[axis]!);
    return cell[axis]! >= low && cell[axis]! <= high;
  });
}

/** Position of `cell` (inside the rectangle) along the curve over the rectangle (origin, main, side). */
function positionIn(cell: Vector, origin: Vector, main: Vector, side: Vector): number {
  if (length(main) === 1 || length(side) === 1) {
    return Math.abs(cell[0] - origin[0] + (cell[1] - origin[1])); // a single row or column
  }
  // The rectangle is cut into two (long and thin) or three (otherwise) parts walked in order; the cell's position is
  // the size of the parts before its own plus its position inside that part.
  const parts: [Vector, Vector, Vector][] = [];
  let mainHalf = halve(main);
  if (2 * length(main) > 3 * length(side)) {
    if (length(mainHalf) % 2 === 1 && length(main) > 2) mainHalf = plus(mainHalf, sign(main));
    parts.push([origin, mainHalf, side], [plus(origin, mainHalf), minus(main, mainHalf), side]);
  } else {
    let sideHalf = halve(side);
    if (length(sideHalf) % 2 === 1 && length(side) > 2) sideHalf = plus(sideHalf, sign(side));
    parts.push(
      [origin, sideHalf, mainHalf],
      [plus(origin, sideHalf), main, minus(side, sideHalf)],
      [
        plus(origin, plus(minus(main, sign(main)), minus(sideHalf, sign(side)))),
        [-sideHalf[0], -sideHalf[1]],
        [-(main[0] - mainHalf[0]), -(main[1] - mainHalf[1])],
      ],
    );
  }
  let before = 0;
  for (const [partOrigin, partMain, partSide] of parts) {
    if (holds(cell, partOrigin, partMain, partSide))
      return before + positionIn(cell, partOrigin, partMain, partSide);
    before += length(partMain) * length(partSide);
  }
  throw new RangeError(`(${cell.join(', ')}) is outside the rectangle`);
}
